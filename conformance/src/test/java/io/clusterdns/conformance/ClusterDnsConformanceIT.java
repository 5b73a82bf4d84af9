package io.clusterdns.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Mode 2 as CI runs it: the built clusterdns jar on the fixture (plus the Knot upstream), every case in
 * the table. The jar is {@code ../dns-server/target/clusterdns.jar} relative to this module (the reactor
 * packages dns-server before conformance's integration tests run in {@code mvn -B verify}); the system
 * property {@code clusterdns.jar} overrides it. A missing jar fails the test: in {@code verify} it is always
 * built first, so its absence means the build is broken, not that there is nothing to test.
 */
class ClusterDnsConformanceIT {

  @Test
  void everyCasePassesAgainstTheBuiltJar(@TempDir Path dir) throws Exception {
    Path jar = Path.of(System.getProperty("clusterdns.jar", "../dns-server/target/clusterdns.jar"));
    assertTrue(Files.isRegularFile(jar), "no clusterdns jar at " + jar.toAbsolutePath()
        + ": dns-server's package phase builds it before verify runs this test; run mvn -B verify from the"
        + " project root, or give -Dclusterdns.jar=PATH");
    ConformanceCommand cmd = new ConformanceCommand();
    new CommandLine(cmd).parseArgs("--start-clusterdns", "--jar", jar.toString(), "--cases", "cases.tsv",
        "--fixture", "fixture", "--work-dir", dir.toString(),
        "--knotd", RequiredTool.knotd().toString(), "--dig", RequiredTool.dig().toString());
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    long start = System.nanoTime();
    List<CaseResult> results = cmd.execute(out);
    Report.print(results, out);
    Report.writeJunitXml(results, Path.of("target", "conformance-junit.xml"), (System.nanoTime() - start) / 1e9);
    System.out.println(buf.toString(StandardCharsets.UTF_8));

    String failures = results.stream().filter(CaseResult::failed).map(Report::failureLine)
        .collect(Collectors.joining("\n"));
    assertTrue(failures.isEmpty(), "conformance failures:\n" + failures);
    assertTrue(results.stream().filter(CaseResult::passed).count() >= 150, "fewer than 150 cases ran");
  }
}
