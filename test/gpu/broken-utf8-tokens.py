# Prints llama-server arguments that ban every token of a GGUF's byte-level BPE vocabulary
# (tokenizer.ggml.model "gpt2", as Qwen's) whose bytes alone are not valid UTF-8 (a piece of a
# multi-byte character), one "-l ID-inf" pair per line.
#
# Why: a random-weight model strings such pieces together into malformed UTF-8, and llama-server's
# chat parser (any chat format, --skip-chat-parsing included) then fails the request with "The
# model produced output that does not match the expected peg-native format". Output made of
# whole-character tokens only is always valid UTF-8. The ban costs the server one addition per
# banned token per sampled token (about 1,500 of the 151,936 Qwen tokens): nothing beside a
# forward pass. A trained model does not need it.
#
#   PYTHONPATH=<llama.cpp>/gguf-py python3 broken-utf8-tokens.py model.gguf
import sys

from gguf import GGUFReader

reader = GGUFReader(sys.argv[1])
field = reader.fields["tokenizer.ggml.tokens"]
tokens = [bytes(field.parts[i]).decode("utf-8") for i in field.data]
types_field = reader.fields.get("tokenizer.ggml.token_type")
types = [int(types_field.parts[i][0]) for i in types_field.data] if types_field else [1] * len(tokens)
model = bytes(reader.fields["tokenizer.ggml.model"].parts[-1]).decode("utf-8")
if model != "gpt2":
    print(f"tokenizer {model}: no ban", file=sys.stderr)
    sys.exit(0)

# GPT-2's byte <-> printable character table (what llama.cpp's unicode_utf8_to_byte inverts).
printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
chars = printable[:]
extra = 0
for b in range(256):
    if b not in printable:
        printable.append(b)
        chars.append(256 + extra)
        extra += 1
to_byte = {chr(c): b for b, c in zip(printable, chars)}

banned = 0
for token_id, (text, kind) in enumerate(zip(tokens, types)):
    if kind != 1:  # control and user-defined tokens are written out as their text
        continue
    try:
        bytes(to_byte[c] for c in text).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        print(f"-l\n{token_id}-inf")
        banned += 1
print(f"banned {banned} of {len(tokens)} tokens", file=sys.stderr)
