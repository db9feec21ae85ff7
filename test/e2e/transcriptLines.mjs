// @ts-check
// Where the assistant turns of a pretty-printed JSON transcript start, found independently of the
// extension's parser: JSON.parse gives the messages, a text scan the line of each "content" key.

/**
 * One-based line numbers of the assistant messages' "content" keys, in order. Throws when the scan
 * and JSON.parse disagree on how many messages there are (the file is not laid out one key a line).
 * @param {string} text the file's text
 * @param {string} [listKey] the key of the message list ("conversation" in the paper's files, "messages" in OpenAI chat)
 * @returns {number[]}
 */
export function assistantContentLines(text, listKey) {
  const json = JSON.parse(text);
  const key = listKey ?? ('conversation' in json ? 'conversation' : 'messages');
  /** @type {{ role: string }[]} */
  const messages = json[key];
  if (!Array.isArray(messages)) throw new Error(`no "${key}" list in the transcript`);
  const lines = text.split('\n');
  /** @type {number[]} */
  const contentLines = [];
  lines.forEach((l, i) => {
    if (/^\s*"content":/.test(l)) contentLines.push(i + 1);
  });
  if (contentLines.length !== messages.length)
    throw new Error(`found ${contentLines.length} "content" lines for ${messages.length} messages`);
  return contentLines.filter((_, i) => messages[i]?.role === 'assistant');
}
