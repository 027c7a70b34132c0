// Server-Sent Events as the WHATWG spec parses them, reduced to what the feed uses: `id`, `event`,
// `data` (joined over several lines) and comments (heartbeats), which are skipped.

/** One dispatched event. */
export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/** Feeds lines in, gets whole events out. The last `id` seen survives across events, as in browsers. */
export class SseParser {
  private data: string[] = [];
  private event = '';
  private sawField = false;
  lastEventId: string | undefined;

  /** Takes one line (without its ending); returns the event a blank line completes. */
  push(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.sawField = true;
        break;
      case 'event':
        this.event = value;
        this.sawField = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        this.sawField = true;
        break;
      default:
        break;
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const message =
      this.sawField && this.data.length > 0
        ? { id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') }
        : undefined;
    this.data = [];
    this.event = '';
    this.sawField = false;
    return message;
  }
}
