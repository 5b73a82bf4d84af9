package io.clusterdns.server.ops;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Writes log records on a thread of its own, so that a thread that logs never waits for stderr. The {@code errors}
 * and {@code log} plugins log from the event loops, one line per failed or answered query; when the log collector
 * reading the container's stderr falls behind, the pipe fills and a synchronous write would stop that loop and
 * every query on it. Here the event loop only offers the record to a bounded queue; when the queue is full the
 * record is dropped and counted ({@code clusterdns_log_lines_dropped_total}): a lost log line costs less than
 * a stalled resolver for the whole node.
 *
 * <p>{@link #flush()} waits (bounded) until everything offered before it is written, for the lines a process
 * prints just before it exits; after {@link #close()} records are written by the caller, so nothing logged
 * during shutdown is lost.
 */
final class AsyncLogHandler extends Handler {
  private static final long FLUSH_WAIT_MILLIS = 2000;

  /** A queue entry that asks the writer to flush and count down once everything before it is written. */
  private static final class FlushMark extends LogRecord {
    final CountDownLatch written = new CountDownLatch(1);

    FlushMark() {
      super(Level.OFF, null);
    }
  }

  private static final LongAdder DROPPED = new LongAdder();

  private final Handler out;
  private final BlockingQueue<LogRecord> queue;
  private final Thread writer;
  private volatile boolean closed;

  AsyncLogHandler(Handler out, int capacity) {
    this.out = out;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = new Thread(this::drain, "log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Lines dropped because the writer was behind, since the process started. */
  static long dropped() {
    return DROPPED.sum();
  }

  @Override
  public void publish(LogRecord r) {
    if (!isLoggable(r)) {
      return;
    }
    if (closed) {
      out.publish(r);
      out.flush();
      return;
    }
    if (!queue.offer(r)) {
      DROPPED.increment();
    }
  }

  private void drain() {
    while (true) {
      LogRecord r;
      try {
        r = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (r instanceof FlushMark m) {
        out.flush();
        m.written.countDown();
        continue;
      }
      out.publish(r); // ConsoleHandler flushes each record itself
    }
  }

  @Override
  public void flush() {
    if (closed || Thread.currentThread() == writer) {
      out.flush();
      return;
    }
    FlushMark mark = new FlushMark();
    try {
      if (queue.offer(mark, FLUSH_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        mark.written.await(FLUSH_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    flush();
    closed = true;
    writer.interrupt();
    try {
      writer.join(FLUSH_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // what was offered between the flush and the switch to writing in the caller
    for (LogRecord r; (r = queue.poll()) != null; ) {
      if (r instanceof FlushMark m) {
        m.written.countDown();
      } else {
        out.publish(r);
      }
    }
    out.flush();
  }
}
