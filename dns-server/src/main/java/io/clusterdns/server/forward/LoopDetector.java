package io.clusterdns.server.forward;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Start-up forwarding-loop check (CoreDNS {@code loop}; behaviours.md 11.6): a random
 * {@code <n>.<n>.<zone> HINFO} query is sent through the forward path; if it arrives back at this server more
 * than {@link #THRESHOLD} times, the configuration forwards to itself (for example a node whose
 * resolv.conf names 127.0.0.53) and the server must exit non-zero so that CrashLoopBackOff shows it.
 *
 * <p>Wiring: the query pipeline calls {@link #observe(Name)} for every incoming query (one volatile read
 * while no check runs, and a name compare while one does); Main calls {@link #check} once after the
 * listeners are up and waits for the result. Thread-safe.
 */
public final class LoopDetector {

  /** Arrivals of the probe that still count as no loop (CoreDNS: more than two means a loop). */
  public static final int THRESHOLD = 2;

  private final Name zone;
  private final Name probe;
  private final AtomicInteger seen = new AtomicInteger();
  private final CompletableFuture<Boolean> looped = new CompletableFuture<>();
  private volatile boolean active;

  /** A detector for the server block of {@code zone} ({@code .} for the default block). */
  public LoopDetector(Name zone) {
    this.zone = zone;
    SecureRandom rnd = new SecureRandom();
    try {
      this.probe = Name.concatenate(
          Name.fromString(Long.toString(rnd.nextLong() & Long.MAX_VALUE) + "."
              + Long.toString(rnd.nextLong() & Long.MAX_VALUE)), zone);
    } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
      throw new IllegalArgumentException("zone " + zone + " is too long for a loop probe", e);
    }
  }

  /** The probe's name: {@code <random>.<random>.<zone>}. */
  public Name probeName() {
    return probe;
  }

  /** Whether a check is running (then every query must pass {@link #observe}). */
  public boolean checking() {
    return active;
  }

  /** Arrivals of the probe seen so far. */
  public int seen() {
    return seen.get();
  }

  /**
   * Called by the pipeline for every incoming query; counts the probe's arrivals. Returns true when
   * {@code qname} is the probe, which the pipeline then forwards like any other name (that is how a loop
   * shows). Cheap when no check runs.
   */
  public boolean observe(Name qname) {
    if (!active || !qname.equals(probe)) {
      return false;
    }
    if (seen.incrementAndGet() > THRESHOLD) {
      active = false; // stop counting; the caller exits
      looped.complete(true);
    }
    return true;
  }

  /**
   * Sends the probe once through {@code send} (the forwarder's {@code forward(query, false)}, or a query to
   * the server's own listener) and completes with true as soon as a loop shows, or false when the probe
   * comes back (any answer or failure) without one, or after {@code timeout}.
   */
  public CompletableFuture<Boolean> check(Function<Message, CompletableFuture<Message>> send, Duration timeout) {
    active = true;
    Message query = Message.newQuery(Record.newRecord(probe, Type.HINFO, DClass.IN));
    send.apply(query).whenComplete((reply, failure) -> finishIfQuiet());
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(this::finishIfQuiet);
    return looped;
  }

  private void finishIfQuiet() {
    if (seen.get() <= THRESHOLD) {
      active = false;
      looped.complete(false);
    }
  }

  /** The line to log before exiting, in CoreDNS's words. */
  public String message(String forwardedTo) {
    return "Loop (" + forwardedTo + ") detected for zone \"" + zone
        + "\": the forward path sends queries back to this server; see"
        + " https://coredns.io/plugins/loop#troubleshooting. Query: \"HINFO " + probe + "\"";
  }
}
