/**
 * The append size rule, defined once: one command is one atomic append, and
 * EventStoreDB refuses appends over 1 MiB (its default MaxAppendSize),
 * counting each event's type, data and metadata as JSON in UTF-8. The
 * embedded stores refuse the same, measured the same way, so an append is
 * accepted or refused alike everywhere.
 */
export const MAX_APPEND_BYTES = 1024 * 1024;

/** UTF-8 bytes of a string (a lone surrogate counts as U+FFFD, three bytes, as an encoder writes it). */
export const utf8Length = (text: string): number => {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit <= 0xdbff && unit >= 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: four bytes for two units
      i++;
    } else bytes += 2;
  }
  return bytes;
};

/** One event's share of an append, from its type and its data and metadata as JSON. */
export const storedSize = (type: string, data: string, metadata = ""): number =>
  utf8Length(type) + utf8Length(data) + utf8Length(metadata);

/** An append's size; events without metadata (the domain's, before they are sent) count none. */
export const appendBytes = (
  events: readonly { type: string; data: unknown; metadata?: unknown }[],
): number =>
  events.reduce(
    (bytes, e) =>
      bytes +
      storedSize(
        e.type,
        JSON.stringify(e.data ?? null),
        e.metadata === undefined ? "" : JSON.stringify(e.metadata),
      ),
    0,
  );
