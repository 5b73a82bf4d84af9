package io.clusterdns.conformance;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the selected cases with a bounded number of dig processes in flight and collects results in table
 * order. Owned by the calling thread; the pool threads only run dig and compare.
 */
public final class SuiteRunner {

  /** Dig processes in flight at once: enough to finish ~200 cases in seconds, few enough for a laptop. */
  static final int PARALLELISM = 8;

  private final Dig dig;

  public SuiteRunner(Dig dig) {
    this.dig = dig;
  }

  /** Keeps the cases that carry one of {@code include} (all if empty) and none of {@code exclude}. */
  public static List<DigCase> select(List<DigCase> cases, Collection<String> include,
      Collection<String> exclude) {
    List<DigCase> out = new ArrayList<>();
    for (DigCase c : cases) {
      boolean in = include.isEmpty() || c.tags().stream().anyMatch(include::contains);
      boolean out1 = c.tags().stream().anyMatch(exclude::contains) || exclude.contains(c.id());
      if ((in || include.contains(c.id())) && !out1) {
        out.add(c);
      }
    }
    return out;
  }

  public List<CaseResult> run(List<DigCase> cases, Environment env) {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM, r -> {
      Thread t = new Thread(r, "conformance-dig");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<CaseResult>> futures = new ArrayList<>();
      for (DigCase c : cases) {
        futures.add(pool.submit(() -> runOne(c, env)));
      }
      List<CaseResult> results = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        DigCase c = cases.get(i);
        try {
          results.add(futures.get(i).get(Dig.PROCESS_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
          results.add(new CaseResult(c, List.of("runner error: " + e), null, null, env.serverFor(c), 0));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private CaseResult runOne(DigCase c, Environment env) {
    String skip = env.skipReason(c);
    ServerAddress server = env.serverFor(c);
    if (skip != null) {
      return new CaseResult(c, List.of(), skip, null, server, 0);
    }
    long start = System.nanoTime();
    DigReply reply = dig.query(server, c.qname(), c.qtype(), c.options());
    List<String> problems = CaseCheck.problems(c, reply);
    return new CaseResult(c, List.copyOf(problems), null, reply, server,
        (System.nanoTime() - start) / 1_000_000);
  }
}
