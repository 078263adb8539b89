// A transcript as real BR-RM output looks: the model card's sections, with markdown in the
// focus, the issues and the analyses (bold labels, emphasis, code, numbered and bulleted
// lists). The parser, the fuzzer, the plain-text views and the rendered views share it.

export const MARKDOWN_TURN1 = `<think>
Arithmetic question; one answer is wrong.
</think>

[Quality Assessment Focus]
**Computational Precision**, Information Accuracy
[End of Quality Assessment Focus]

[Quality Analysis for Response 1]
- Critical Issues: None identified
[End of Quality Analysis for Response 1]

[Quality Analysis for Response 2]
- Critical Issues:
  - **Wrong arithmetic**: states that 2+2=5.
  - Gives *no* working, so the \`5\` cannot be checked.
[End of Quality Analysis for Response 2]`;

export const MARKDOWN_TURN2 = `[The Begin of Analysis on Response 1]
**Accuracy-Critical** hierarchy: Correctness > Process > Presentation.
1. **Correctness**: 2+2=4 is *checked* and right.
2. **Process**: direct.
3. **Presentation**: one clear line.
[The End of Analysis on Response 1]

[The Begin of Analysis on Response 2]
**Accuracy-Critical** hierarchy applied:
- **Correctness**: fails, \`2+2=5\` is false.
- **Process**: none shown.

The answer cannot be trusted.
[The End of Analysis on Response 2]

[The Begin of Ranking Score]
\\boxed{1}
[The End of Ranking Score]`;
