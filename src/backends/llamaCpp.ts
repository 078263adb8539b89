// The local backend: BR-RM on llama.cpp through node-llama-cpp. node-llama-cpp is ESM with
// native binaries, so it is imported lazily (nothing of it loads for `brrm parse`, `--help` or
// at extension activation) and only its types are imported statically.

import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type {
  ChatHistoryItem,
  LlamaChatSession,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  Token,
} from "node-llama-cpp" with { "resolution-mode": "import" };
import type { Conversation, JudgeBackend, TurnRequest, TurnResult } from "../core/backend";
import { BrrmError, CancelledError } from "../core/errors";
import type { ComputeChoice, GpuSetting } from "../core/gpuChoice";
import { Slots } from "../core/slots";
import { physicalCores } from "./cpu";
import { openLlama, type OpenedLlama } from "./llamaGpu";

export const DEFAULT_MODEL = "hf:DevQuasar/nvidia.Qwen3-Nemotron-8B-BRRM-GGUF:Q4_K_M";

export interface LocalBackendOptions {
  /** A `.gguf` path, an `hf:` URI or an https URL. */
  model: string;
  gpu?: GpuSetting;
  /** CPU threads; defaults to the physical cores (more only slows llama.cpp down). */
  threads?: number;
  /** Tokens the context holds (prompt, both turns and their answers). */
  contextSize?: number;
  /** Comparisons that can run at once, each on its own sequence of the one context. */
  parallel?: number;
  /** Where downloaded models are kept. */
  modelsDir?: string;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** Where the choice of llama.cpp build and its reasons are told (the log). */
  onLog?: (message: string) => void;
}

export type LoadProgress =
  | { phase: "download"; downloadedBytes: number; totalBytes: number }
  | { phase: "load"; fraction: number };

export const DEFAULT_CONTEXT_SIZE = 16384;

export function defaultModelsDir(): string {
  return process.env.BRRM_MODELS_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "brrm-judge", "models");
}

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
let nodeLlamaCpp: Promise<NodeLlamaCpp> | undefined;
const loadNodeLlamaCpp = () =>
  (nodeLlamaCpp ??= import("node-llama-cpp").catch((e: unknown) => {
    nodeLlamaCpp = undefined;
    throw new BrrmError(
      "ENGINE_MISSING",
      `The local llama.cpp engine (node-llama-cpp) could not be loaded: ${(e as Error).message}. Run \`npm install\` in BR-RM Judge's folder, or use an OpenAI-compatible endpoint.`,
      { cause: e },
    );
  }));

// One Llama and one loaded model per process: they are the expensive parts.
let shared: { key: string; llama: Promise<OpenedLlama> } | undefined;
let loaded: { key: string; model: Promise<LlamaModel> } | undefined;

async function sharedLlama(gpu: GpuSetting, threads: number, log?: (message: string) => void): Promise<OpenedLlama> {
  const key = `${gpu}/${threads}`;
  if (shared?.key === key) return shared.llama;
  const previous = shared;
  const lib = await loadNodeLlamaCpp();
  const llama = openLlama(lib, gpu, { maxThreads: threads, log }).catch((e: unknown) => {
    shared = undefined;
    throw e;
  });
  shared = { key, llama };
  if (previous) void previous.llama.then((l) => l.llama.dispose()).catch(() => {});
  return llama;
}

/**
 * Starts llama.cpp (no model) and says which build runs and why: what the next local model
 * will run on. Shares the process's one Llama with the backends.
 */
export async function localCompute(gpu: GpuSetting, threads = physicalCores(), log?: (message: string) => void): Promise<ComputeChoice> {
  return (await sharedLlama(gpu, threads, log)).choice;
}

async function resolveModel(source: string, opts: LocalBackendOptions): Promise<string> {
  const remote = /^(hf:|huggingface:|https?:)/i.test(source);
  if (!remote) {
    const file = path.resolve(source);
    const header = await fs
      .open(file, "r")
      .then(async (h) => {
        try {
          const buf = Buffer.alloc(4);
          await h.read(buf, 0, 4, 0);
          return buf.toString("latin1");
        } finally {
          await h.close();
        }
      })
      .catch((e: NodeJS.ErrnoException) => {
        throw new BrrmError(
          "MODEL_NOT_FOUND",
          e.code === "ENOENT"
            ? `Model file not found: ${file}. Check the path, or give an hf: URI such as ${DEFAULT_MODEL}.`
            : `Cannot read the model file ${file}: ${e.message}.`,
        );
      });
    if (header !== "GGUF")
      throw new BrrmError("MODEL_INVALID", `${file} is not a GGUF model file. BR-RM Judge runs llama.cpp models: pick a .gguf file.`);
    return file;
  }
  const { resolveModelFile } = await loadNodeLlamaCpp();
  try {
    return await resolveModelFile(source, {
      directory: opts.modelsDir ?? defaultModelsDir(),
      cli: false,
      signal: opts.signal,
      onProgress: ({ downloadedSize, totalSize }) =>
        opts.onProgress?.({ phase: "download", downloadedBytes: downloadedSize, totalBytes: totalSize }),
    });
  } catch (e) {
    if (opts.signal?.aborted) throw new CancelledError("Model download cancelled.");
    throw new BrrmError("MODEL_DOWNLOAD_FAILED", `Could not download ${source}: ${(e as Error).message}. Check the URI and your network, or give a local .gguf path.`, { cause: e });
  }
}

async function loadModel({ llama, gpuLayers }: OpenedLlama, file: string, opts: LocalBackendOptions): Promise<LlamaModel> {
  const key = `${file}|${opts.gpu ?? "auto"}`;
  if (loaded?.key === key) return loaded.model;
  const { InsufficientMemoryError } = await loadNodeLlamaCpp();
  const previous = loaded;
  const model = llama
    .loadModel({
      modelPath: file,
      ...(gpuLayers === undefined ? {} : { gpuLayers }),
      loadSignal: opts.signal,
      onLoadProgress: (fraction) => opts.onProgress?.({ phase: "load", fraction }),
    })
    .catch((e: unknown) => {
      if (loaded?.key === key) loaded = undefined;
      if (opts.signal?.aborted) throw new CancelledError("Model loading cancelled.");
      if (e instanceof InsufficientMemoryError)
        throw new BrrmError("OUT_OF_MEMORY", `Not enough memory to load ${path.basename(file)}. Pick a smaller quantization (for example Q4_K_M or Q3_K_M) or close other programs.`, { cause: e });
      throw new BrrmError("MODEL_INVALID", `llama.cpp could not load ${file}: ${(e as Error).message}. The file may be truncated or corrupt: download it again.`, { cause: e });
    });
  loaded = { key, model };
  if (previous) void previous.model.then((m) => m.dispose()).catch(() => {});
  return model;
}

/** Frees the process-wide model and Llama (tests, and the extension's deactivate). */
export async function disposeLocalEngine(): Promise<void> {
  const [m, l] = [loaded, shared];
  loaded = shared = undefined;
  await m?.model.then((x) => x.dispose()).catch(() => {});
  await l?.llama.then((x) => x.llama.dispose()).catch(() => {});
}

export class LocalBackend implements JudgeBackend {
  readonly kind = "local";
  /** One slot per sequence of the context: a comparison waits for a free one. */
  private readonly slots: Slots;
  private disposed = false;

  private constructor(
    readonly modelName: string,
    /** The llama.cpp build that runs and why no better one does. */
    readonly compute: ComputeChoice,
    private readonly context: LlamaContext,
    private readonly lib: NodeLlamaCpp,
  ) {
    this.slots = new Slots(context.totalSequences);
  }

  static async create(opts: LocalBackendOptions): Promise<LocalBackend> {
    const lib = await loadNodeLlamaCpp();
    const threads = opts.threads ?? physicalCores();
    const file = await resolveModel(opts.model, opts);
    const opened = await sharedLlama(opts.gpu ?? "auto", threads, opts.onLog);
    const model = await loadModel(opened, file, opts);
    const parallel = opts.parallel ?? 1;
    const wanted = Math.min(opts.contextSize ?? DEFAULT_CONTEXT_SIZE, model.trainContextSize);
    let context: LlamaContext;
    try {
      context = await model.createContext({
        contextSize: wanted * parallel,
        sequences: parallel,
        threads,
        createSignal: opts.signal,
      });
    } catch (e) {
      if (opts.signal?.aborted) throw new CancelledError();
      if (e instanceof lib.InsufficientMemoryError)
        throw new BrrmError("OUT_OF_MEMORY", `Not enough memory for a ${wanted}-token context${parallel > 1 ? ` x ${parallel} sequences` : ""}. Lower the context size or the concurrency.`, { cause: e });
      throw e;
    }
    return new LocalBackend(path.basename(file).replace(/\.gguf$/i, ""), opened.choice, context, lib);
  }

  /** Tokens one comparison may use (the context is shared evenly by the parallel sequences). */
  get contextSize(): number {
    return Math.floor(this.context.contextSize / this.context.totalSequences);
  }

  async startConversation(signal?: AbortSignal): Promise<Conversation> {
    if (this.disposed) throw new BrrmError("BACKEND_DISPOSED", "The local model was unloaded. Start the comparison again.");
    await this.slots.acquire(signal);
    try {
      const sequence = this.context.getSequence();
      const session = new this.lib.LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
      // No default system prompt: BR-RM was trained on the bare user turns.
      session.setChatHistory([]);
      return new LocalConversation(session, sequence, this.contextSize, () => {
        session.dispose({ disposeSequence: false });
        // The context takes a sequence id back only when the sequence's (async) disposal ends:
        // handing the slot on before that makes the next getSequence() find none left.
        const release = () => this.slots.release();
        void sequence.dispose().then(release, release);
      });
    } catch (e) {
      this.slots.release();
      throw e;
    }
  }

  /** Frees this backend's context; the model stays loaded for the next one (see disposeLocalEngine). */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.context.dispose();
  }
}

function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

class LocalConversation implements Conversation {
  constructor(
    private readonly session: LlamaChatSession,
    private readonly sequence: LlamaContextSequence,
    private readonly contextSize: number,
    readonly dispose: () => void,
  ) {}

  /** Prompt tokens for the next turn, counted the way the chat wrapper will render them. */
  private promptTokenCount(user: string): number {
    const chatHistory: ChatHistoryItem[] = [...this.session.getChatHistory(), { type: "user", text: user }, { type: "model", response: [] }];
    const { contextText } = this.session.chatWrapper.generateContextState({ chatHistory });
    return contextText.tokenize(this.sequence.model.tokenizer).length;
  }

  async turn(req: TurnRequest): Promise<TurnResult> {
    const promptTokens = this.promptTokenCount(req.user);
    const room = this.contextSize - promptTokens;
    if (room < 16)
      throw new BrrmError(
        "INPUT_TOO_LONG",
        `The input is too long: this turn needs ${promptTokens} prompt tokens but the context holds ${this.contextSize}. Shorten the prompt or responses, or raise the context size.`,
      );
    // Never let generation run past the context: llama.cpp would shift out the prompt's start.
    const maxTokens = Math.min(req.sampling.maxTokens, room);
    const before = [...this.sequence.contextTokens];
    const grammar = req.grammar ? await this.sequence.model.llama.createGrammar({ grammar: req.grammar }) : undefined;
    let thought = "";
    let generated = 0;
    const started = performance.now();
    const result = await this.session.promptWithMeta(req.user, {
      maxTokens,
      temperature: req.sampling.temperature,
      topP: req.sampling.topP,
      topK: req.sampling.topK,
      seed: req.sampling.seed,
      grammar,
      signal: req.signal,
      stopOnAbortSignal: true,
      budgets: { thoughtTokens: Infinity },
      onToken: (tokens) => (generated += tokens.length),
      onResponseChunk: (chunk) => {
        const kind = chunk.type === "segment" && chunk.segmentType === "thought" ? "thought" : "answer";
        if (kind === "thought") thought += chunk.text;
        req.onChunk?.(kind, chunk.text, chunk.tokens.length);
      },
    });
    if (req.signal?.aborted) throw new CancelledError();
    const after = this.sequence.contextTokens;
    return {
      thought,
      answer: result.responseText,
      usage: {
        promptTokens,
        generatedTokens: generated,
        cachedTokens: Math.min(commonPrefixLength(before, after), promptTokens),
        ms: performance.now() - started,
        stopReason: result.stopReason === "eogToken" || result.stopReason === "stopGenerationTrigger" ? "eos" : result.stopReason,
      },
    };
  }
}
