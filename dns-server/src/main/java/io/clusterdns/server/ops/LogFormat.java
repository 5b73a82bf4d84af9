package io.clusterdns.server.ops;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The process's one log format (issue 18): every line is one record, a UTC timestamp, CoreDNS's level word and
 * the message, e.g. {@code 2026-12-05T07:29:42.123Z [ERROR] plugin/errors: 2 example.org. A: upstream timed out}.
 * With {@code --log-format json} each line is one JSON object instead. Our own code, fabric8 (through
 * slf4j-jdk14), vert.x and Netty all log through {@code java.util.logging}, so installing this on the root logger
 * covers the whole process. A thrown exception is appended to the same line (its class, message and causes),
 * never as a multi-line stack trace.
 *
 * <p>Logger names: {@code plugin/NAME} loggers print as they are (CoreDNS's plugin prefixes); ours under
 * {@code io.clusterdns.k8s}/{@code .index} print as {@code plugin/kubernetes}; {@code clusterdns} prints no
 * prefix; anything else prints its last name element (e.g. {@code WatcherWebSocketListener}).
 */
public final class LogFormat extends Formatter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final boolean json;

  public LogFormat(boolean json) {
    this.json = json;
  }

  /** Lines the writer queue holds at most; beyond it, lines are dropped and counted (AsyncLogHandler). */
  private static final int QUEUE_LINES = 16_384;

  /**
   * Replaces the root logger's handlers with one on stderr in this format, INFO and above, written by a thread
   * of its own ({@link AsyncLogHandler}: an event loop that logs never waits for stderr).
   */
  public static void install(boolean json) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler console = new ConsoleHandler(); // stderr, flushed per record
    console.setFormatter(new LogFormat(json));
    console.setLevel(Level.ALL);
    Handler h = new AsyncLogHandler(console, QUEUE_LINES);
    h.setLevel(Level.ALL);
    root.addHandler(h);
    root.setLevel(Level.INFO);
  }

  /** Waits (at most a few seconds) until the lines logged so far are written: before the process exits. */
  public static void flush() {
    for (Handler h : Logger.getLogger("").getHandlers()) {
      h.flush();
    }
  }

  /** Log lines dropped because stderr was behind by more than the writer's queue. */
  public static long droppedLines() {
    return AsyncLogHandler.dropped();
  }

  /** CoreDNS's level words. */
  static String level(Level l) {
    int v = l.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (v >= Level.WARNING.intValue()) {
      return "WARNING";
    }
    if (v >= Level.INFO.intValue()) {
      return "INFO";
    }
    return "DEBUG";
  }

  static String source(String logger) {
    if (logger == null || logger.isEmpty() || logger.equals("clusterdns")) {
      return "";
    }
    if (logger.startsWith("plugin/")) {
      return logger;
    }
    if (logger.startsWith("io.clusterdns.k8s") || logger.startsWith("io.clusterdns.index")) {
      return "plugin/kubernetes";
    }
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }

  @Override
  public String format(LogRecord r) {
    String msg = formatMessage(r);
    if (r.getThrown() != null) {
      msg = (msg == null || msg.isEmpty() ? "" : msg + ": ") + describe(r.getThrown());
    }
    msg = msg == null ? "" : msg.replace("\r", "").replace('\n', ' ');
    String time = TIME.format(Instant.ofEpochMilli(r.getMillis()));
    String src = source(r.getLoggerName());
    if (json) {
      return "{\"time\":\"" + time + "\",\"level\":\"" + level(r.getLevel()) + "\""
          + (src.isEmpty() ? "" : ",\"logger\":" + quote(src)) + ",\"msg\":" + quote(msg) + "}\n";
    }
    return time + " [" + level(r.getLevel()) + "] " + (src.isEmpty() ? "" : src + ": ") + msg + "\n";
  }

  /** The exception's class and message, then each cause's, on one line. */
  public static String describe(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (depth > 0) {
        b.append("; caused by ");
      }
      b.append(t.getClass().getSimpleName());
      if (t.getMessage() != null) {
        b.append(": ").append(t.getMessage());
      }
    }
    return b.toString();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
