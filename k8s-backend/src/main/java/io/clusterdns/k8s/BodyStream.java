package io.clusterdns.k8s;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A list response's body as a blocking stream over fabric8's asynchronous body, for the token parser to read
 * on a list thread. Two reasons not to use fabric8's own {@code InputStream} body:
 * <ul>
 *   <li>A read that waits longer than {@code stallMillis} for the next bytes cancels the body and fails: the
 *       request timeout covers only the response headers, so an API server that stalls in the middle of a
 *       list would otherwise hold that kind's list thread, and the first sync, for good.
 *   <li>Bytes are copied in bulk; fabric8's channel copies them one at a time (about 1 s of CPU over the 295 MB
 *       of lists of a 100k cluster, RESULTS.md issue 17).
 * </ul>
 * Flow control: the next chunk is asked for only when the reader has used the last one, so a page waits in
 * the HTTP client, not here, while the reader is busy.
 *
 * <p>Threads: {@link #consume} and the body's completion on the HTTP client's threads; reads and close on the
 * list thread; one monitor.
 */
final class BodyStream extends InputStream implements AsyncBody.Consumer<List<ByteBuffer>> {
  private final long stallNanos;
  private final ArrayDeque<ByteBuffer> buffers = new ArrayDeque<>();
  private AsyncBody body;
  private boolean requested;
  private boolean done;
  private boolean closed;
  private Throwable failed;

  BodyStream(long stallMillis) {
    this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
  }

  /** Attaches the response whose body this stream reads (its headers have arrived). */
  synchronized void start(HttpResponse<AsyncBody> response) {
    body = response.body();
    body.done().whenComplete((v, t) -> finished(t));
  }

  private synchronized void finished(Throwable t) {
    if (t != null && failed == null) {
      failed = t;
    }
    done = true;
    notifyAll();
  }

  @Override
  public synchronized void consume(List<ByteBuffer> value, AsyncBody asyncBody) {
    buffers.addAll(value);
    requested = false;
    notifyAll();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    long deadline = System.nanoTime() + stallNanos;
    while (true) {
      if (closed) {
        throw new IOException("stream closed");
      }
      ByteBuffer head = buffers.peek();
      if (head != null) {
        if (!head.hasRemaining()) {
          buffers.poll();
          continue;
        }
        int n = Math.min(len, head.remaining());
        head.get(b, off, n);
        return n;
      }
      if (failed != null) {
        throw new IOException("the response failed: " + failed, failed);
      }
      if (done) {
        return -1;
      }
      if (!requested) {
        requested = true;
        body.consume(); // may deliver at once, on this thread
        continue;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        body.cancel();
        throw new IOException("no data from the API server for " + TimeUnit.NANOSECONDS.toSeconds(stallNanos)
            + " s in the middle of a list response");
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("list read interrupted");
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      buffers.clear();
      if (body != null && !done) {
        body.cancel();
      }
    }
  }
}
