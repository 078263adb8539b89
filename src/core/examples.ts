// The example pair a newcomer meets first (walkthrough, new evaluation notebook): a short,
// labelled pair where one answer is wrong, so the verdict is easy to check.

export const EXAMPLE_PAIR = {
  id: "example-1",
  prompt: "What is 17 * 24? Explain briefly.",
  response1: "17 * 24 = 408: 17 * 20 = 340 and 17 * 4 = 68, and 340 + 68 = 408.",
  response2: "17 * 24 = 418, since 17 * 25 = 425 and 425 - 7 = 418.",
  label: 1,
} as const;
