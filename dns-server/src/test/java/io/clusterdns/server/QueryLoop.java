package io.clusterdns.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A client asking one A name in a loop over one transport while a test does something to the server (reload,
 * SIGTERM): it records the answers, the last TTL seen and every failure. A wrong answer (not NOERROR with
 * {@code address}) is a failure whenever it comes; a timeout or refused connection only when the query was
 * sent before {@link #closingAfterNanos} (until then the server must be serving).
 */
final class QueryLoop implements AutoCloseable {
  final AtomicLong answered = new AtomicLong();
  final AtomicLong lastTtl = new AtomicLong(-1);
  final AtomicLong lastAnsweredNanos = new AtomicLong();
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  final AtomicLong closingAfterNanos = new AtomicLong(Long.MAX_VALUE);
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread thread;

  QueryLoop(InetSocketAddress server, boolean tcp, String name, String address) {
    thread = new Thread(() -> {
      try {
        SimpleResolver r = new SimpleResolver(server);
        r.setTCP(tcp);
        r.setTimeout(Duration.ofSeconds(5));
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
        // Bounded: the test stops the loop; the count is a backstop against a runaway loop.
        for (int i = 0; i < 2_000_000 && !stop.get(); i++) {
          long sent = System.nanoTime();
          try {
            Message reply = r.send(q);
            List<Record> answer = reply.getSection(Section.ANSWER);
            if (reply.getRcode() != Rcode.NOERROR || answer.isEmpty()
                || !answer.get(0).rdataToString().equals(address)) {
              failures.add(Rcode.string(reply.getRcode()) + " " + answer);
            } else {
              lastTtl.set(answer.get(0).getTTL());
              answered.incrementAndGet();
              lastAnsweredNanos.set(System.nanoTime());
            }
          } catch (IOException e) {
            if (sent < closingAfterNanos.get()) {
              failures.add((tcp ? "tcp: " : "udp: ") + e);
            }
            if (!stop.get()) {
              Thread.sleep(20); // the server is gone or going: don't spin on refused connections
            }
          }
        }
      } catch (IOException e) {
        failures.add(e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "query-loop-" + (tcp ? "tcp" : "udp"));
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }
}
