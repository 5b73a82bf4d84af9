package io.clusterdns.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A list body read as a stream: chunks come one at a time as they are asked for, the end is seen, and a body
 * whose bytes stop coming fails after the stall limit (cancelling it) instead of blocking the list for good.
 */
class BodyStreamTest {
  /** A body that delivers the given chunks, one per {@code consume()}, then completes; or stalls after them. */
  private static final class FakeBody implements AsyncBody {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicInteger asked = new AtomicInteger();
    final AtomicBoolean cancelled = new AtomicBoolean();
    final List<String> chunks;
    final boolean stall;
    BodyStream consumer;

    FakeBody(List<String> chunks, boolean stall) {
      this.chunks = chunks;
      this.stall = stall;
    }

    @Override
    public void consume() {
      int i = asked.getAndIncrement();
      if (i < chunks.size()) {
        consumer.consume(List.of(ByteBuffer.wrap(chunks.get(i).getBytes(StandardCharsets.UTF_8))), this);
      } else if (!stall) {
        done.complete(null);
      }
    }

    @Override
    public CompletableFuture<Void> done() {
      return done;
    }

    @Override
    public void cancel() {
      cancelled.set(true);
      done.cancel(false);
    }
  }

  private static HttpResponse<AsyncBody> response(AsyncBody body) {
    return new HttpResponse<>() {
      @Override public int code() {
        return 200;
      }
      @Override public AsyncBody body() {
        return body;
      }
      @Override public HttpRequest request() {
        return null;
      }
      @Override public Optional<HttpResponse<?>> previousResponse() {
        return Optional.empty();
      }
      @Override public List<String> headers(String key) {
        return List.of();
      }
      @Override public Map<String, List<String>> headers() {
        return Map.of();
      }
    };
  }

  @Test
  void readsEveryChunkInOrderThenTheEnd() throws IOException {
    FakeBody body = new FakeBody(List.of("{\"items\":", "[1,2", ",3]}"), false);
    BodyStream s = new BodyStream(5_000);
    body.consumer = s;
    s.start(response(body));
    assertEquals("{\"items\":[1,2,3]}", new String(s.readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(-1, s.read());
    assertEquals(4, body.asked.get(), "one request per chunk, one more to see the end");
  }

  @Test
  void aBodyThatStopsComingFailsAfterTheStallLimit() throws IOException {
    FakeBody body = new FakeBody(List.of("{\"items\":["), true);
    BodyStream s = new BodyStream(300);
    body.consumer = s;
    s.start(response(body));
    byte[] buf = new byte[64];
    assertEquals(10, s.read(buf, 0, buf.length));
    long t0 = System.nanoTime();
    IOException e = assertThrows(IOException.class, () -> s.read(buf, 0, buf.length));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 250 && ms < 5_000, "failed after " + ms + " ms");
    assertTrue(e.getMessage().contains("no data"), e.getMessage());
    assertTrue(body.cancelled.get(), "the stalled body is cancelled");
  }
}
