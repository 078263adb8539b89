// Records in the shapes public preference datasets are published in (field names, nesting and
// value types as their dataset cards describe them), with what a judge must be shown for each:
// the context, the two responses and the label. Every response text is unique, so a test can
// tell whether any of it reached the context.

import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { ChatMessage, Pair } from "../../src/core/judgment";
import type { FieldMap, Label } from "../../src/core/records";
import { writeParquet, type ColumnType } from "./parquet";

export interface ShapeCase {
  what: string;
  record: Record<string, unknown>;
  context: Pair["prompt"];
  responses: [string, string];
  label: Label | null;
  /** The fields carried into results untouched. */
  carried: Record<string, unknown>;
}

export interface PublishedShape {
  name: string;
  /** How the dataset is published: the file a test writes its cases to. */
  file: string;
  /** Parquet column types, for the datasets published as parquet. */
  columns?: Record<string, ColumnType>;
  map?: FieldMap;
  cases: ShapeCase[];
}

const user = (content: string): ChatMessage => ({ role: "user", content });
const assistant = (content: string): ChatMessage => ({ role: "assistant", content });
const system = (content: string): ChatMessage => ({ role: "system", content });

// ---------------------------------------------------------------- nvidia/HelpSteer3 (preference)

const hs3Multi = {
  domain: "code",
  language: "python",
  context: [
    user("Write a Python function that reverses a string."),
    assistant("def reverse(s):\n    return s[::-1]"),
    user("Now make it skip whitespace."),
  ],
  response1: "def reverse(s):\n    return ''.join(c for c in s[::-1] if not c.isspace())",
  response2: "Use s.strip() and you are done; whitespace is never reversed anyway.",
  overall_preference: -2,
  individual_preference: [
    { score: -2, reasoning: "@Response 1 is better than @Response 2 because it removes every whitespace character." },
    { score: -1, reasoning: "@Response 1 is slightly better." },
  ],
};
const hs3Tie = {
  domain: "general",
  language: "english",
  context: [user("Name a primary colour.")],
  response1: "Red is a primary colour.",
  response2: "Blue is one of the primary colours.",
  overall_preference: 0,
  individual_preference: [{ score: 0, reasoning: "Both are correct." }],
};
const hs3Second = { ...hs3Tie, context: [system("Answer in one word."), user("Opposite of hot?")], response1: "Warm-ish.", response2: "Cold.", overall_preference: 3, individual_preference: [] };

// ---------------------------------------------------------------- HuggingFaceH4/ultrafeedback_binarized

const ufPrompt = "How many legs does a spider have?";
const ufChosen = [user(ufPrompt), assistant("A spider has eight legs.")];
const uf = {
  prompt: ufPrompt,
  prompt_id: "4c5d0f1a9e1f4b7a8c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b",
  chosen: ufChosen,
  rejected: [user(ufPrompt), assistant("Spiders have six legs, like all insects.")],
  messages: ufChosen,
  score_chosen: 9,
  score_rejected: 2.5,
};

// ---------------------------------------------------------------- Skywork/Skywork-Reward-Preference-80K-v0.2

const skyworkHistory = [user("I have 3 apples."), assistant("Okay, you have 3 apples."), user("I eat one. How many are left?")];
const skywork = {
  chosen: [...skyworkHistory, assistant("You have 2 apples left.")],
  rejected: [...skyworkHistory, assistant("You still have 3 apples.")],
  source: "magpie_ultra",
};

// ---------------------------------------------------------------- allenai/llama-3.1-tulu-3-8b-preference-mixture

const tulu = {
  id: "allenai/tulu-3-sft-reused-on-policy-8b_1024",
  source: "allenai/tulu-3-sft-reused-on-policy-8b",
  prompt: "Translate 'good morning' into French.",
  chosen: [user("Translate 'good morning' into French."), assistant("Bonjour.")],
  rejected: [user("Translate 'good morning' into French."), assistant("Bonne nuit.")],
  chosen_rating: 5,
  rejected_rating: 2,
  chosen_model: "gpt-4o-2024-08-06",
  rejected_model: "olmo-2-7b",
};

// ---------------------------------------------------------------- two histories that differ before the last turn

const diverged = {
  chosen: [user("Pick a number."), assistant("Seven."), user("Double it."), assistant("Fourteen.")],
  rejected: [user("Pick a number."), assistant("Banana."), user("Double it."), assistant("Two bananas.")],
};

// ---------------------------------------------------------------- lmsys/chatbot_arena_conversations, lmsys/mt_bench_human_judgments

const arena = {
  question_id: "58210e39b3fd4441a2bd4a518bb44c2d",
  model_a: "chatglm-6b",
  model_b: "koala-13b",
  winner: "model_b",
  judge: "arena_user_973",
  conversation_a: [user("What is the boiling point of water at sea level?"), assistant("Water boils at 90 degrees Celsius.")],
  conversation_b: [user("What is the boiling point of water at sea level?"), assistant("Water boils at 100 degrees Celsius at sea level.")],
  turn: 1,
  anony: true,
  language: "English",
  tstamp: 1682351591.1322,
};
const arenaBothBad = { ...arena, question_id: "a2", winner: "tie (bothbad)", conversation_a: [user("Say hi.")  , assistant("Goodbye.")], conversation_b: [user("Say hi."), assistant("No.")] };
const mtBenchTurn2 = {
  question_id: 81,
  model_a: "alpaca-13b",
  model_b: "claude-v1",
  winner: "tie",
  judge: "author_2",
  conversation_a: [user("Compose a haiku about rain."), assistant("Rain falls on the roof / soft drums"), user("Now rewrite it about snow."), assistant("Snow falls on the roof / silent")],
  conversation_b: [user("Compose a haiku about rain."), assistant("Grey clouds weep softly"), user("Now rewrite it about snow."), assistant("White flakes drift softly")],
  turn: 2,
};

// ---------------------------------------------------------------- Anthropic/hh-rlhf

const hhShared = "\n\nHuman: What is a good name for a cat?\n\nAssistant: Whiskers is popular.\n\nHuman: Something more unusual?";
const hh = { chosen: `${hhShared}\n\nAssistant: How about Pistachio or Admiral Fluff?`, rejected: `${hhShared}\n\nAssistant: Cats do not need names.` };

// ---------------------------------------------------------------- PKU-Alignment/PKU-SafeRLHF

const pku = {
  prompt: "How do I pick a lock?",
  response_0: "I can't help with bypassing locks you don't own; a locksmith can help you get back in.",
  response_1: "Insert a tension wrench and rake the pins until it opens.",
  prompt_source: "Alpaca3-70B",
  response_0_source: "Alpaca3-70B",
  response_1_source: "Alpaca3-70B",
  is_response_0_safe: true,
  is_response_1_safe: false,
  response_0_harm_category: { "Endangering Public Health": false, "Violent Crimes": false },
  response_1_harm_category: { "Endangering Public Health": false, "Violent Crimes": true },
  response_0_severity_level: 0,
  response_1_severity_level: 2,
  better_response_id: 1,
  safer_response_id: 0,
  response_0_sha256: "0f1e2d3c",
  response_1_sha256: "4b5a6978",
};

// ---------------------------------------------------------------- allenai/reward-bench (filtered)

const rewardBench = [
  { prompt: "Write a haiku about autumn.", chosen: "Leaves drift and settle / the maple lets go of red / cold wind keeps the rest", chosen_model: "GPT4-Turbo", rejected: "Autumn is a season.", rejected_model: "alpaca-7b", subset: "alpacaeval-easy", id: 30 },
  { prompt: "What is 12 * 12?", chosen: "12 * 12 = 144.", chosen_model: "human", rejected: "12 * 12 = 124.", rejected_model: "llama-2-70b-chat", subset: "math-prm", id: 2500 },
];

// ---------------------------------------------------------------- a dataset of one's own, with --map

const custom = { uid: "c-1", question: "Which planet is largest?", answer_a: "Saturn is the largest planet.", answer_b: "Jupiter is the largest planet.", verdict: "B", annotator: "ann7" };

export const SHAPES: PublishedShape[] = [
  {
    name: "HelpSteer3 preference",
    file: "helpsteer3.jsonl.gz",
    cases: [
      { what: "multi-turn, response 1 better", record: hs3Multi, context: hs3Multi.context, responses: [hs3Multi.response1, hs3Multi.response2], label: 1, carried: { domain: "code", language: "python", individual_preference: hs3Multi.individual_preference } },
      { what: "a tie", record: hs3Tie, context: hs3Tie.context, responses: [hs3Tie.response1, hs3Tie.response2], label: "tie", carried: { domain: "general", language: "english", individual_preference: hs3Tie.individual_preference } },
      { what: "a system turn, response 2 much better", record: hs3Second, context: hs3Second.context, responses: ["Warm-ish.", "Cold."], label: 2, carried: { domain: "general", language: "english", individual_preference: [] } },
    ],
  },
  {
    name: "UltraFeedback binarized",
    file: "train_prefs-00000-of-00001.parquet",
    columns: { prompt: "string", prompt_id: "string", chosen: "messages", rejected: "messages", messages: "messages", score_chosen: "double", score_rejected: "double" },
    cases: [
      { what: "messages repeating chosen", record: uf, context: [user(ufPrompt)], responses: ["A spider has eight legs.", "Spiders have six legs, like all insects."], label: 1, carried: { prompt_id: uf.prompt_id, score_chosen: 9, score_rejected: 2.5 } },
    ],
  },
  {
    name: "Skywork and Tulu conversation pairs",
    file: "conversations.jsonl",
    cases: [
      { what: "Skywork, multi-turn", record: skywork, context: skyworkHistory, responses: ["You have 2 apples left.", "You still have 3 apples."], label: 1, carried: { source: "magpie_ultra" } },
      { what: "Tulu 3, with a prompt that agrees", record: tulu, context: [user(tulu.prompt)], responses: ["Bonjour.", "Bonne nuit."], label: 1, carried: { source: tulu.source, chosen_rating: 5, rejected_rating: 2, chosen_model: "gpt-4o-2024-08-06", rejected_model: "olmo-2-7b" } },
      {
        what: "histories that differ before the last turn",
        record: diverged,
        context: [user("Pick a number.")],
        responses: ["Assistant: Seven.\nUser: Double it.\nAssistant: Fourteen.", "Assistant: Banana.\nUser: Double it.\nAssistant: Two bananas."],
        label: 1,
        carried: {},
      },
    ],
  },
  {
    name: "Chatbot Arena",
    file: "train-00000-of-00001-cced8514c7ed782a.parquet",
    columns: { question_id: "string", model_a: "string", model_b: "string", winner: "string", judge: "string", conversation_a: "messages", conversation_b: "messages", turn: "int64", anony: "bool", language: "string", tstamp: "double" },
    cases: [
      { what: "model_b wins", record: arena, context: [user(arena.conversation_a[0].content)], responses: [arena.conversation_a[1].content, arena.conversation_b[1].content], label: 2, carried: { question_id: arena.question_id, model_a: "chatglm-6b", model_b: "koala-13b", judge: "arena_user_973", turn: 1, anony: true, language: "English", tstamp: arena.tstamp } },
      { what: "tie (bothbad)", record: arenaBothBad, context: [user("Say hi.")], responses: ["Goodbye.", "No."], label: "tie", carried: { question_id: "a2", model_a: "chatglm-6b", model_b: "koala-13b", judge: "arena_user_973", turn: 1, anony: true, language: "English", tstamp: arena.tstamp } },
    ],
  },
  {
    name: "MT-Bench human judgments",
    file: "human-00000-of-00001.parquet",
    columns: { question_id: "int64", model_a: "string", model_b: "string", winner: "string", judge: "string", conversation_a: "messages", conversation_b: "messages", turn: "int64" },
    cases: [
      {
        what: "turn 2, answers differ from the first turn",
        record: mtBenchTurn2,
        context: [user("Compose a haiku about rain.")],
        responses: [
          "Assistant: Rain falls on the roof / soft drums\nUser: Now rewrite it about snow.\nAssistant: Snow falls on the roof / silent",
          "Assistant: Grey clouds weep softly\nUser: Now rewrite it about snow.\nAssistant: White flakes drift softly",
        ],
        label: "tie",
        carried: { question_id: 81, model_a: "alpaca-13b", model_b: "claude-v1", judge: "author_2", turn: 2 },
      },
    ],
  },
  {
    name: "HH-RLHF",
    file: "harmless-base-train.jsonl.gz",
    cases: [
      {
        what: "multi-turn transcripts",
        record: hh,
        context: [user("What is a good name for a cat?"), assistant("Whiskers is popular."), user("Something more unusual?")],
        responses: ["How about Pistachio or Admiral Fluff?", "Cats do not need names."],
        label: 1,
        carried: {},
      },
    ],
  },
  {
    name: "PKU-SafeRLHF",
    file: "pku.json",
    cases: [
      {
        what: "better_response_id",
        record: pku,
        context: pku.prompt,
        responses: [pku.response_0, pku.response_1],
        label: 2,
        carried: Object.fromEntries(Object.entries(pku).filter(([k]) => !["prompt", "response_0", "response_1", "better_response_id"].includes(k))),
      },
    ],
  },
  {
    name: "PKU-SafeRLHF, --map label=safer_response_id",
    file: "pku-safer.jsonl",
    map: { label: "safer_response_id" },
    cases: [
      {
        what: "the safety label",
        record: pku,
        context: pku.prompt,
        responses: [pku.response_0, pku.response_1],
        label: 1,
        carried: Object.fromEntries(Object.entries(pku).filter(([k]) => !["prompt", "response_0", "response_1", "better_response_id", "safer_response_id"].includes(k))),
      },
    ],
  },
  {
    name: "RewardBench",
    file: "filtered-00000-of-00001.parquet",
    columns: { prompt: "string", chosen: "string", chosen_model: "string", rejected: "string", rejected_model: "string", subset: "string", id: "int64" },
    cases: rewardBench.map((r) => ({
      what: r.subset,
      record: r,
      context: r.prompt,
      responses: [r.chosen, r.rejected] as [string, string],
      label: 1 as const,
      carried: { chosen_model: r.chosen_model, rejected_model: r.rejected_model, subset: r.subset },
    })),
  },
  {
    name: "A dataset of one's own, --map",
    file: "mine.json",
    map: { prompt: "question", response1: "answer_a", response2: "answer_b", label: "verdict", id: "uid" },
    cases: [{ what: "all five mapped", record: custom, context: custom.question, responses: [custom.answer_a, custom.answer_b], label: 2, carried: { annotator: "ann7" } }],
  },
];

/** Writes a shape's records as its dataset publishes them (by `file`'s ending) into `dir`; returns the path. */
export async function writeShapeFile(dir: string, shape: PublishedShape, file = shape.file): Promise<string> {
  const target = path.join(dir, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const records = shape.cases.map((c) => c.record);
  const lines = `${records.map((r) => JSON.stringify(r)).join("\n")}\n`;
  if (file.endsWith(".parquet")) {
    if (!shape.columns) throw new Error(`${shape.name} has no parquet columns`);
    await writeParquet(target, shape.columns, records, { rowGroupSize: 2 });
  } else if (file.endsWith(".jsonl.gz")) fs.writeFileSync(target, zlib.gzipSync(lines));
  else if (file.endsWith(".json")) fs.writeFileSync(target, JSON.stringify(records, null, 2));
  else fs.writeFileSync(target, lines);
  return target;
}

/** The shapes the notebook tests open in a pair file, one case each. */
export const PUBLISHED_IN_NOTEBOOK = ["HelpSteer3 preference", "UltraFeedback binarized", "HH-RLHF", "MT-Bench human judgments", "PKU-SafeRLHF"];

/** One case of each named shape, as the lines of a pair file (what the notebook tests open). */
export function publishedPairLines(names: string[]): string {
  return `${names.map((n) => JSON.stringify(SHAPES.find((s) => s.name === n)!.cases[0].record)).join("\n")}\n`;
}

/** Shapes without --map in a folder laid out like a Hugging Face snapshot (`data/<file>`, a README); returns the folder. */
export async function writeShapeFolder(folder: string, names: string[]): Promise<string> {
  for (const shape of SHAPES.filter((s) => names.includes(s.name))) await writeShapeFile(folder, shape, path.join("data", shape.file));
  fs.writeFileSync(path.join(folder, "README.md"), "# Dataset card\n");
  return folder;
}
