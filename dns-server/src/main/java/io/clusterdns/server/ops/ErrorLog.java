package io.clusterdns.server.ops;

import com.google.re2j.Pattern;
import io.clusterdns.config.corefile.ErrorsPlugin;
import io.clusterdns.server.query.Decoded;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.QueryPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * CoreDNS's {@code errors} plugin: every failed query is one line, {@code [ERROR] plugin/errors: RCODE NAME TYPE:
 * CAUSE} (RCODE as a number, as CoreDNS prints it), e.g. {@code 2 example.org. A: no upstream answered within
 * 5000 ms}. An error whose text matches a {@code consolidate} pattern is only counted; at the end of each period
 * one line says {@code N errors like 'PATTERN' occurred in last PERIOD} at the pattern's level.
 *
 * <p>A decorator of the metrics observer, so the query path keeps one observer call per query; everything here
 * runs only for failures, and the line is written by the log writer's thread ({@link AsyncLogHandler}), not the
 * event loop. Thread-safe; the summaries run on one daemon thread, stopped by {@link #close()}.
 */
public final class ErrorLog implements QueryObserver, AutoCloseable {
  private static final Logger LOG = Logger.getLogger("plugin/errors");

  private final QueryObserver delegate;
  private final List<Pattern> patterns = new ArrayList<>();
  private final List<AtomicLong> counts = new ArrayList<>();
  private final ScheduledExecutorService summaries;

  public ErrorLog(QueryObserver delegate, ErrorsPlugin config) {
    this.delegate = delegate;
    if (config.consolidate().isEmpty()) {
      summaries = null;
      return;
    }
    summaries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "errors-consolidate");
      t.setDaemon(true);
      return t;
    });
    for (ErrorsPlugin.Consolidation c : config.consolidate()) {
      Pattern p = Pattern.compile(c.pattern());
      AtomicLong n = new AtomicLong();
      patterns.add(p);
      counts.add(n);
      long ms = Math.max(1, c.period().toMillis());
      Level level = level(c.level());
      String period = text(c.period());
      summaries.scheduleAtFixedRate(() -> {
        long seen = n.getAndSet(0);
        if (seen > 0) {
          LOG.log(level, seen + " errors like '" + c.pattern() + "' occurred in last " + period);
        }
      }, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void failed(Message query, int rcode, Throwable cause) {
    Record q = query.getQuestion();
    String text = cause(cause);
    for (int i = 0; i < patterns.size(); i++) {
      if (patterns.get(i).matcher(text).find()) {
        counts.get(i).incrementAndGet();
        return;
      }
    }
    LOG.severe(rcode + " " + (q == null ? "." : q.getName().toString().toLowerCase(Locale.ROOT)) + " "
        + (q == null ? "-" : Type.string(q.getType())) + ": " + text);
    delegate.failed(query, rcode, cause);
  }

  /** The cause as one line: the failure's own message (a ForwardFailure says what happened). */
  static String cause(Throwable t) {
    if (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t == null) {
      return "no reply from the upstream path";
    }
    if (t instanceof io.clusterdns.server.forward.ForwardFailure f) {
      return f.getMessage() == null ? f.reason().name().toLowerCase(Locale.ROOT) : f.getMessage();
    }
    return LogFormat.describe(t);
  }

  private static Level level(String name) {
    return switch (name) {
      case "error" -> Level.SEVERE;
      case "info" -> Level.INFO;
      case "debug" -> Level.FINE;
      default -> Level.WARNING;
    };
  }

  /** A duration as CoreDNS (Go) prints it: 30s, 5m0s, 1h0m0s. */
  static String text(java.time.Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    return (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
  }

  // ---------------------------------------------------------------- the metrics, unchanged

  @Override
  public void answered(int qtype, boolean dnssecOk, boolean tcp, boolean ipv6, int rcode,
      QueryPipeline.Source source, int requestBytes, int replyBytes, long nanos) {
    delegate.answered(qtype, dnssecOk, tcp, ipv6, rcode, source, requestBytes, replyBytes, nanos);
  }

  @Override
  public void rejected(int requestBytes, byte[] reply, boolean tcp, boolean ipv6) {
    delegate.rejected(requestBytes, reply, tcp, ipv6);
  }

  @Override
  public void dropped(Decoded.DropReason reason, boolean tcp, boolean ipv6) {
    delegate.dropped(reason, tcp, ipv6);
  }

  @Override
  public void close() {
    if (summaries != null) {
      summaries.shutdownNow();
    }
  }
}
