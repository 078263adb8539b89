// Records in the exact shapes the benchmarks publish (field names, nesting, value types), for the
// tests: RewardBench's filtered split, RM-Bench's JSON arrays, RMB's pairwise and best-of-N files.

export function rewardBenchRow(id: number, subset: string, prompt = `Question ${id}?`) {
  return { prompt, chosen: `A good answer to ${id}.`, chosen_model: "gpt-4", rejected: `A poor answer to ${id}.`, rejected_model: "llama-2-7b", subset, id };
}

export function rmBenchRecord(id: number | string, domain: string, prompt = `Prompt ${id} (${domain})`) {
  const styles = ["concise", "detailed plain", "detailed markdown"];
  return { id, prompt, chosen: styles.map((s) => `right ${domain} ${id} ${s}`), rejected: styles.map((s) => `wrong ${domain} ${id} ${s}`), domain };
}

const turn = (content: string, role = "user") => ({ content, language: "English", role });

export function rmbPair(uid: string, categoryPath: string, prompt = `Pairwise prompt ${uid}`) {
  return {
    pair_uid: uid,
    conversation_input: [turn(prompt)],
    chosen: { llm_name: "claude-3-5-sonnet-20240620", answer: `best answer ${uid}`, score: 5.0 },
    reject: { llm_name: "Llama-2-7b-chat-hf", answer: `worse answer ${uid}`, score: 3.5 },
    category_path: categoryPath,
  };
}

export function rmbBon(uid: string, categoryPath: string, losers: number, prompt = `BoN prompt ${uid}`) {
  return {
    conversation_input: [turn("Earlier question"), turn("Earlier answer", "assistant"), turn(prompt)],
    bon_best: { llm_name: "Llama-2-70b-chat-hf", answer: `best answer ${uid}` },
    loser_list: Array.from({ length: losers }, (_, k) => ({ llm_name: `model-${k}`, answer: `loser ${k + 1} of ${uid}` })),
    bon_uid: uid,
    category_path: categoryPath,
  };
}
