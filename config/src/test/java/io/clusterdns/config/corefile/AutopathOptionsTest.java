package io.clusterdns.config.corefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code autopath [ZONE...] @kubernetes [RESOLV-CONF]}: what is accepted, and errors with their line (issue 22). */
class AutopathOptionsTest {

  @TempDir
  Path dir;

  private Corefile parse(String text) throws CorefileException {
    return CorefileParser.parse(text, "Corefile", CorefileParser.Options.defaults().withBaseDir(dir));
  }

  private AutopathPlugin autopath(String text) throws CorefileException {
    return parse(text).autopath().orElseThrow();
  }

  @Test
  void coreDnsSyntaxIsAcceptedWithAnyPodsMode() throws Exception {
    for (String pods : List.of("insecure", "disabled", "verified")) {
      AutopathPlugin a = autopath(".:53 {\n autopath @kubernetes\n kubernetes cluster.local {\n pods " + pods
          + "\n }\n}\n");
      assertEquals(List.of("."), a.zones(), pods);
      assertEquals(AutopathOptions.DEFAULT_RESOLV_CONF, a.resolvConf(), pods);
      assertEquals(2, a.line(), pods);
    }
  }

  @Test
  void nodeSearchDomainsComeFromTheNamedResolvConf() throws Exception {
    Files.writeString(dir.resolve("node-resolv.conf"), """
        # written by the cloud's DHCP client
        nameserver 10.0.0.2
        search first.example ignored.example
        options ndots:2
        search Corp.Example. ec2.internal . corp.example
        """);
    AutopathPlugin a = autopath(".:53 {\n kubernetes cluster.local\n autopath cluster.local @kubernetes node-resolv.conf\n}\n");
    assertEquals(List.of("corp.example.", "ec2.internal."), a.searchDomains(), "the last search line wins");
    assertEquals(List.of("cluster.local."), a.zones());
    assertEquals(dir.resolve("node-resolv.conf").toString(), a.resolvConf());
  }

  @Test
  void domainLineIsAOneElementSearchList() throws Exception {
    Files.writeString(dir.resolve("r.conf"), "search a.example b.example\ndomain c.example\n");
    assertEquals(List.of("c.example."), autopath(".:53 {\n kubernetes\n autopath @kubernetes r.conf\n}\n")
        .searchDomains());
  }

  @Test
  void withoutKubernetesInTheBlockItIsAWarningAndOff() throws Exception {
    Corefile c = parse(".:53 {\n kubernetes cluster.local\n}\nexample.org {\n autopath @kubernetes\n forward . 10.0.0.1\n}\n");
    assertEquals(Optional.empty(), c.autopath());
    assertEquals("Corefile:5:2: autopath @kubernetes is accepted but not acted on: this server block has no kubernetes",
        c.warnings().get(0).toString());
  }

  @Test
  void withoutAutopathTheModeIsOff() throws Exception {
    assertEquals(Optional.empty(), parse(".:53 {\n kubernetes cluster.local\n}\n").autopath());
  }

  @Test
  void badSearchDomainNamesTheResolvConfLineAndTheCorefileLine() throws Exception {
    Files.writeString(dir.resolve("bad.conf"), "nameserver 10.0.0.2\n\nsearch ok.example bad..example\n");
    CorefileException e = assertThrows(CorefileException.class,
        () -> parse(".:53 {\n kubernetes\n autopath @kubernetes bad.conf\n}\n"));
    assertEquals(3, e.line(), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("bad.conf") + ":3: search 'bad..example' is not a domain name"),
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      autopath                                      | autopath needs at least 1 argument               | 2
      autopath /etc/resolv.conf                     | autopath with a search path from a file          | 2
      autopath @erratic                             | from @kubernetes, not '@erratic'                 | 2
      autopath @kubernetes a.conf b.conf            | at most one RESOLV-CONF                          | 2
      autopath @kubernetes missing.conf             | autopath: cannot read                            | 2
      autopath @kubernetes {\\n}                    | autopath takes no { } block                      | 2
      autopath @kubernetes\\n autopath @kubernetes  | plugin 'autopath' appears twice                  | 3
      """)
  void badAutopathFailsWithLine(String line, String message, int lineNumber) {
    String text = ".:53 {\n " + line.replace("\\n", "\n") + "\n kubernetes cluster.local\n}\n";
    CorefileException e = assertThrows(CorefileException.class, () -> parse(text));
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertEquals(lineNumber, e.line(), e.getMessage());
  }
}
