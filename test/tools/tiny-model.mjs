// @ts-check
// A tiny random-weight Qwen3 model for tests: the real Qwen tokenizer and Qwen3 chat template (both
// taken from the llama.cpp source that node-llama-cpp ships), 2 layers, n_embd 64, f16, ~26 MB.
//
//   npm run tiny-model -- <out.gguf> [--seed N]
//   import { writeTinyModel, tinyModelPath } from "./tiny-model.mjs"
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "./cache.mjs";
import { bundleKey, extractFile } from "./llama-bundle.mjs";

/** Bump when the output changes, so that cached models are rebuilt. */
export const GENERATOR_VERSION = 1;

const SHAPE = { layers: 2, embd: 64, heads: 4, kvHeads: 2, headDim: 64, ff: 128, ctx: 8192 };

// Qwen3's added tokens (tokenizer_config.json); ggml-vocab-qwen2.gguf has [PAD...] at 151646-151668.
// Types as llama.cpp's converter writes them: "<|...|>" -> 3 (control), the rest ("<think>",
// "<tool_call>", ...) -> 4 (user-defined; llama.cpp matches those even without parsing specials).
const QWEN3_ADDED = [
  "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>", "<|box_end|>", "<|quad_start|>",
  "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>",
  "<|video_pad|>", // 151646-151656: control
  "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>",
  "<|repo_name|>", "<|file_sep|>", "<tool_response>", "</tool_response>", "<think>", "</think>", // 151657-151668
];
const FIRST_ADDED = 151646;
const EOS = 151645; // <|im_end|>

// ---- GGUF values -------------------------------------------------------------------------------
// Types: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string, 9 array, 10 u64, 11 i64, 12 f64.
const T = { U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9, U64: 10, I64: 11, F64: 12 };
const SIZE = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];
/** @typedef {{ type: number, value: any, itemType?: number }} KV  arrays: value is an Array (bigint for 64-bit ints) */

/** Parse a GGUF file's header and key-values (tensor infos are not needed here). @param {Buffer} buf */
export function readGgufKVs(buf) {
  let pos = 0;
  const u32 = () => { pos += 4; return buf.readUInt32LE(pos - 4); };
  const u64 = () => { pos += 8; return buf.readBigUInt64LE(pos - 8); };
  const str = () => { const n = Number(u64()); pos += n; return buf.toString("utf8", pos - n, pos); };
  /** @param {number} type @returns {any} */
  const scalar = (type) => {
    const at = pos;
    pos += SIZE[type];
    switch (type) {
      case T.U8: return buf.readUInt8(at);
      case T.I8: return buf.readInt8(at);
      case T.U16: return buf.readUInt16LE(at);
      case T.I16: return buf.readInt16LE(at);
      case T.U32: return buf.readUInt32LE(at);
      case T.I32: return buf.readInt32LE(at);
      case T.F32: return buf.readFloatLE(at);
      case T.BOOL: return buf.readUInt8(at) !== 0;
      case T.U64: return buf.readBigUInt64LE(at);
      case T.I64: return buf.readBigInt64LE(at);
      case T.F64: return buf.readDoubleLE(at);
      case T.STRING: pos = at; return str();
      default: throw new Error(`GGUF: unknown value type ${type} at byte ${at}`);
    }
  };
  if (buf.toString("latin1", 0, 4) !== "GGUF") throw new Error("not a GGUF file");
  pos = 4;
  const version = u32();
  if (version < 2) throw new Error(`GGUF version ${version} is not supported`);
  const tensorCount = u64();
  const kvCount = Number(u64());
  /** @type {Map<string, KV>} */
  const kvs = new Map();
  for (let i = 0; i < kvCount; i++) {
    const key = str();
    const type = u32();
    if (type === T.ARRAY) {
      const itemType = u32();
      const n = Number(u64());
      const value = new Array(n);
      for (let j = 0; j < n; j++) value[j] = scalar(itemType); // nested arrays are not used by GGUF files
      kvs.set(key, { type, itemType, value });
    } else {
      kvs.set(key, { type, value: scalar(type) });
    }
  }
  return { version, tensorCount, kvs };
}

/** Serialise one key-value. @param {string} key @param {KV} kv @returns {Buffer} */
function encodeKV(key, { type, value, itemType }) {
  const items = type === T.ARRAY ? value : [value];
  const t = type === T.ARRAY ? /** @type {number} */ (itemType) : type;
  const strs = t === T.STRING ? items.map((/** @type {string} */ s) => Buffer.from(s, "utf8")) : [];
  const keyBuf = Buffer.from(key, "utf8");
  const body = t === T.STRING ? strs.reduce((/** @type {number} */ n, /** @type {Buffer} */ s) => n + 8 + s.length, 0) : items.length * SIZE[t];
  const buf = Buffer.alloc(8 + keyBuf.length + 4 + (type === T.ARRAY ? 12 : 0) + body);
  let pos = buf.writeBigUInt64LE(BigInt(keyBuf.length), 0);
  pos += keyBuf.copy(buf, pos);
  pos = buf.writeUInt32LE(type, pos);
  if (type === T.ARRAY) pos = buf.writeBigUInt64LE(BigInt(items.length), buf.writeUInt32LE(t, pos));
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    switch (t) {
      case T.U8: case T.BOOL: pos = buf.writeUInt8(Number(v), pos); break;
      case T.I8: pos = buf.writeInt8(v, pos); break;
      case T.U16: pos = buf.writeUInt16LE(v, pos); break;
      case T.I16: pos = buf.writeInt16LE(v, pos); break;
      case T.U32: pos = buf.writeUInt32LE(v, pos); break;
      case T.I32: pos = buf.writeInt32LE(v, pos); break;
      case T.F32: pos = buf.writeFloatLE(v, pos); break;
      case T.U64: pos = buf.writeBigUInt64LE(BigInt(v), pos); break;
      case T.I64: pos = buf.writeBigInt64LE(BigInt(v), pos); break;
      case T.F64: pos = buf.writeDoubleLE(v, pos); break;
      case T.STRING: pos = buf.writeBigUInt64LE(BigInt(strs[i].length), pos); pos += strs[i].copy(buf, pos); break;
      default: throw new Error(`GGUF: cannot write value type ${t} (${key})`);
    }
  }
  return buf;
}

// ---- random weights ----------------------------------------------------------------------------
/** mulberry32: a small, fast, seeded 32-bit PRNG returning floats in [0, 1). @param {number} seed */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);
/** IEEE half from a float (round to nearest even; fine for small finite weights). @param {number} x */
function toHalf(x) {
  f32[0] = x;
  const b = f32bits[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = ((b >>> 23) & 0xff) - 127 + 15;
  const mant = b & 0x7fffff;
  if (exp <= 0) { // subnormal or zero
    if (exp < -10) return sign;
    const m = (mant | 0x800000) >>> (14 - exp);
    return sign | ((m + 1) >>> 1);
  }
  if (exp >= 31) return sign | 0x7c00;
  const h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return h + (rest > 0x1000 || (rest === 0x1000 && (h & 1)) ? 1 : 0);
}

// ---- the model ---------------------------------------------------------------------------------
/** The Qwen tokenizer keys with Qwen3's added tokens. @returns {Map<string, KV>} */
function qwen3Tokenizer() {
  const { kvs } = readGgufKVs(extractFile("models/ggml-vocab-qwen2.gguf"));
  /** @type {Map<string, KV>} */
  const tok = new Map([...kvs].filter(([k]) => k.startsWith("tokenizer.")));
  const tokens = /** @type {string[]} */ (tok.get("tokenizer.ggml.tokens")?.value);
  const types = /** @type {number[]} */ (tok.get("tokenizer.ggml.token_type")?.value);
  if (!tokens || !types || tokens.length < FIRST_ADDED + QWEN3_ADDED.length) throw new Error("unexpected Qwen vocab in the bundle");
  QWEN3_ADDED.forEach((t, i) => {
    tokens[FIRST_ADDED + i] = t;
    types[FIRST_ADDED + i] = t.startsWith("<|") && t.endsWith("|>") ? 3 : 4;
  });
  // llama.cpp makes "</s>" a control token on load anyway (with a "control-looking token" warning,
  // which real Qwen3 GGUFs print too); mark it so here to keep test logs quiet.
  const eosLike = tokens.indexOf("</s>");
  if (eosLike >= 0) types[eosLike] = 3;
  tok.set("tokenizer.ggml.eos_token_id", { type: T.U32, value: EOS });
  tok.set("tokenizer.ggml.add_bos_token", { type: T.BOOL, value: false }); // as in Qwen3's own GGUFs
  tok.set("tokenizer.chat_template", { type: T.STRING, value: extractFile("models/templates/Qwen-Qwen3-0.6B.jinja").toString("utf8") });
  return tok;
}

/**
 * Write the tiny model to `outPath`. Same seed, same bytes.
 * @param {string} outPath @param {{ seed?: number }} [opts]
 */
export async function writeTinyModel(outPath, { seed = 1 } = {}) {
  const { layers, embd, heads, kvHeads, headDim: hd, ff, ctx } = SHAPE;
  const tok = qwen3Tokenizer();
  const nVocab = tok.get("tokenizer.ggml.tokens")?.value.length;
  /** @type {[string, KV][]} */
  const kvs = [
    ["general.architecture", { type: T.STRING, value: "qwen3" }],
    ["general.name", { type: T.STRING, value: `brrm-judge tiny qwen3 (random weights, seed ${seed})` }],
    ["general.file_type", { type: T.U32, value: 1 }], // mostly f16
    ["qwen3.context_length", { type: T.U32, value: ctx }],
    ["qwen3.embedding_length", { type: T.U32, value: embd }],
    ["qwen3.block_count", { type: T.U32, value: layers }],
    ["qwen3.feed_forward_length", { type: T.U32, value: ff }],
    ["qwen3.attention.head_count", { type: T.U32, value: heads }],
    ["qwen3.attention.head_count_kv", { type: T.U32, value: kvHeads }],
    ["qwen3.attention.key_length", { type: T.U32, value: hd }],
    ["qwen3.attention.value_length", { type: T.U32, value: hd }],
    ["qwen3.attention.layer_norm_rms_epsilon", { type: T.F32, value: 1e-6 }],
    ["qwen3.rope.freq_base", { type: T.F32, value: 1e6 }],
    ...tok,
  ];
  // [name, dims (ggml order, ne0 first), isNorm]; norms are f32 ones, the rest f16 random.
  /** @type {[string, number[], boolean][]} */
  const tensors = [["token_embd.weight", [embd, nVocab], false], ["output_norm.weight", [embd], true]];
  for (let i = 0; i < layers; i++) {
    const b = `blk.${i}.`;
    tensors.push([`${b}attn_norm.weight`, [embd], true], [`${b}attn_q.weight`, [embd, heads * hd], false],
      [`${b}attn_k.weight`, [embd, kvHeads * hd], false], [`${b}attn_v.weight`, [embd, kvHeads * hd], false],
      [`${b}attn_output.weight`, [heads * hd, embd], false], [`${b}attn_q_norm.weight`, [hd], true],
      [`${b}attn_k_norm.weight`, [hd], true], [`${b}ffn_norm.weight`, [embd], true],
      [`${b}ffn_gate.weight`, [embd, ff], false], [`${b}ffn_up.weight`, [embd, ff], false],
      [`${b}ffn_down.weight`, [ff, embd], false]);
  }
  const align = (/** @type {number} */ n) => Math.ceil(n / 32) * 32;
  const rand = mulberry32(seed);
  /** @type {Buffer[]} */
  const infos = [];
  /** @type {Buffer[]} */
  const data = [];
  let offset = 0;
  for (const [name, dims, isNorm] of tensors) {
    const n = dims.reduce((a, b) => a * b, 1);
    const nameBuf = Buffer.from(name, "utf8");
    const info = Buffer.alloc(8 + nameBuf.length + 4 + 8 * dims.length + 4 + 8);
    let p = info.writeBigUInt64LE(BigInt(nameBuf.length), 0);
    p += nameBuf.copy(info, p);
    p = info.writeUInt32LE(dims.length, p);
    for (const d of dims) p = info.writeBigUInt64LE(BigInt(d), p);
    p = info.writeUInt32LE(isNorm ? 0 : 1, p); // 0 = F32, 1 = F16
    info.writeBigUInt64LE(BigInt(offset), p);
    infos.push(info);
    const bytes = n * (isNorm ? 4 : 2);
    const buf = Buffer.alloc(align(bytes));
    if (isNorm) {
      for (let j = 0; j < n; j++) buf.writeFloatLE(1.0, j * 4);
    } else {
      const scale = 2 / Math.sqrt(dims[0]); // uniform in [-1, 1) / sqrt(fan_in)
      for (let j = 0; j < n; j++) buf.writeUInt16LE(toHalf((rand() - 0.5) * scale), j * 2);
    }
    data.push(buf);
    offset += buf.length;
  }
  const header = Buffer.alloc(24);
  header.write("GGUF", 0, "latin1");
  header.writeUInt32LE(3, 4);
  header.writeBigUInt64LE(BigInt(tensors.length), 8);
  header.writeBigUInt64LE(BigInt(kvs.length), 16);
  const meta = [header, ...kvs.map(([k, v]) => encodeKV(k, v)), ...infos];
  const metaLen = meta.reduce((a, b) => a + b.length, 0);
  meta.push(Buffer.alloc(align(metaLen) - metaLen));
  await fs.promises.mkdir(path.dirname(path.resolve(outPath)), { recursive: true });
  await fs.promises.writeFile(outPath, Buffer.concat([...meta, ...data]));
  return outPath;
}

/**
 * The tiny model for `seed`, generated once per seed, generator version and bundle into the test cache.
 * @param {{ seed?: number }} [opts] @returns {Promise<string>}
 */
export async function tinyModelPath({ seed = 1 } = {}) {
  const file = path.join(cacheDir("tiny-model"), `qwen3-tiny-v${GENERATOR_VERSION}-${bundleKey()}-seed${seed}.gguf`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.tmp-${process.pid}`;
    await writeTinyModel(tmp, { seed });
    await fs.promises.rename(tmp, file);
  }
  return file;
}

// As a script: npm run tiny-model -- <out.gguf> [--seed N]
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const usage = "usage: npm run tiny-model -- <out.gguf> [--seed N]   (N: integer 0..4294967295, default 1)";
  const args = process.argv.slice(2);
  /** @type {string | undefined} */
  let out;
  let seed = 1;
  let bad = "";
  for (let i = 0; i < args.length && !bad; i++) {
    const a = args[i];
    if (a === "-h" || a === "--help") { console.log(usage); process.exit(0); }
    if (a === "--seed" || a.startsWith("--seed=")) {
      const v = a === "--seed" ? args[++i] : a.slice(7);
      seed = /^\d+$/.test(v ?? "") ? Number(v) : NaN;
      if (!(seed <= 0xffffffff)) bad = `--seed needs an integer from 0 to 4294967295, got ${v === undefined ? "nothing" : JSON.stringify(v)}`;
    } else if (a.startsWith("-")) bad = `unknown option ${a}`;
    else if (out !== undefined) bad = `only one output path, got ${JSON.stringify(out)} and ${JSON.stringify(a)}`;
    else out = a;
  }
  if (!bad && out === undefined) bad = "missing the output path";
  if (bad) { console.error(`tiny-model: ${bad}\n${usage}`); process.exit(2); }
  const file = path.resolve(/** @type {string} */ (out));
  await writeTinyModel(file, { seed });
  console.log(`${file} (${fs.statSync(file).size} bytes, seed ${seed})`);
}
