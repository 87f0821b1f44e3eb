// Parts of the SDK that need no server: the SSE parser, Content-Disposition, problem errors
// from bodies that are not problem documents, the paging stop conditions.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProblemError, apiBaseUrl, listAll, parseContentDisposition, parseSSE, unwrap, type SseEvent } from "@mif-erp/client";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

async function collect(chunks: string[], hooks: Parameters<typeof parseSSE>[1] = {}): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const ev of parseSSE(streamOf(chunks), hooks)) out.push(ev);
  return out;
}

describe("parseSSE", () => {
  it("parses events, ids, comments and retry, whatever the chunking and line endings", async () => {
    const text = 'retry: 3000\n\n: ping\n\nid: 42\nevent: notification\ndata: {"id":42}\n\r\nid: 43\r\nevent: notification\r\ndata: line one\r\ndata:line two\r\n\r\ndata: plain\n\n';
    const comments: string[] = [];
    const retries: number[] = [];
    const whole = await collect([text], { onComment: (c) => comments.push(c), onRetry: (r) => retries.push(r) });
    assert.deepEqual(whole, [
      { event: "notification", data: '{"id":42}', id: "42" },
      { event: "notification", data: "line one\nline two", id: "43" },
      { event: "message", data: "plain", id: "43" },
    ]);
    assert.deepEqual(comments, ["ping"]);
    assert.deepEqual(retries, [3000]);
    // one character at a time (a \r\n split across chunks included), and a multi-byte UTF-8 character split across chunks
    const byChar = await collect(text.split(""));
    assert.deepEqual(byChar, whole);
    const bytes = new TextEncoder().encode("data: été\n\n");
    const split = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 7));
        c.enqueue(bytes.slice(7));
        c.close();
      },
    });
    const evs: SseEvent[] = [];
    for await (const ev of parseSSE(split)) evs.push(ev);
    assert.equal(evs[0]?.data, "été");
  });

  it("drops an unterminated last block and a block without data", async () => {
    const ids: string[] = [];
    const evs = await collect(["id: 7\n\n", "data: incomplete"], { onId: (id) => ids.push(id) });
    assert.deepEqual(evs, []);
    assert.deepEqual(ids, ["7"]);
  });
});

describe("parseContentDisposition", () => {
  it("reads filename* (UTF-8) before filename, and quoted names", () => {
    assert.deepEqual(parseContentDisposition(`attachment; filename*=utf-8''rapport-%C3%A9t%C3%A9.txt`), { type: "attachment", filename: "rapport-été.txt" });
    assert.deepEqual(parseContentDisposition(`inline; filename="photo \\"A\\"; 1.png"`), { type: "inline", filename: 'photo "A"; 1.png' });
    assert.deepEqual(parseContentDisposition(`attachment; filename=plain.csv`), { type: "attachment", filename: "plain.csv" });
    assert.deepEqual(parseContentDisposition(`attachment; filename="fallback.txt"; filename*=UTF-8''%E2%9C%93.txt`), { type: "attachment", filename: "✓.txt" });
    assert.equal(parseContentDisposition(null), undefined);
    assert.deepEqual(parseContentDisposition("inline"), { type: "inline", filename: undefined });
  });
});

describe("ProblemError", () => {
  it("is built from a non-problem body with the status line and X-Request-ID", async () => {
    const response = new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway", headers: { "X-Request-ID": "abc", "Retry-After": "7" } });
    const err = await unwrap(Promise.resolve({ error: await response.clone().text(), response })).catch((e: unknown) => e);
    assert.ok(err instanceof ProblemError);
    assert.equal(err.status, 502);
    assert.equal(err.title, "Bad Gateway");
    assert.equal(err.detail, "<html>Bad gateway</html>");
    assert.equal(err.requestId, "abc");
    assert.equal(err.retryAfter, 7);
    assert.equal(err.problem, undefined);
  });
});

describe("paging without a server", () => {
  it("stops on a short page, or at X-Total-Count", async () => {
    const rows = Array.from({ length: 5 }, (_, i) => i);
    const asked: string[] = [];
    const fake = (withTotal: boolean) => (p: { limit: number; offset: number }) => {
      asked.push(`${p.offset}+${p.limit}`);
      return {
        data: rows.slice(p.offset, p.offset + p.limit),
        response: new Response(null, { status: 200, headers: withTotal ? { "X-Total-Count": String(rows.length) } : {} }),
      };
    };
    assert.deepEqual(await listAll(fake(true), { limit: 5 }), rows);
    assert.deepEqual(asked, ["0+5"], "the total says there is no second page");
    asked.length = 0;
    assert.deepEqual(await listAll(fake(false), { limit: 5 }), rows);
    assert.deepEqual(asked, ["0+5", "5+5"], "without the header, an empty page ends it");
    asked.length = 0;
    assert.deepEqual(await listAll(fake(true), { limit: 9999 }), rows);
    assert.deepEqual(asked, ["0+500"], "limit clamped to 500");
  });

  it("apiBaseUrl appends /api/v1 once", () => {
    assert.equal(apiBaseUrl("http://h:1/"), "http://h:1/api/v1");
    assert.equal(apiBaseUrl("http://h:1/api/v1/"), "http://h:1/api/v1");
    assert.equal(apiBaseUrl(), "/api/v1");
  });
});
