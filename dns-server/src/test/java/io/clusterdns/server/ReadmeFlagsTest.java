package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every flag of {@code --help} has a row in the README's Flags table (cli.md: the documented contract). */
class ReadmeFlagsTest {
  @Test
  void everyFlagIsInTheReadmesFlagsTable() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("\n## Flags\n");
    int end = readme.indexOf("\n## ", start + 1);
    assertTrue(start >= 0 && end > start, "README has a Flags section");
    String table = readme.substring(start, end);
    for (OptionSpec o : new CommandLine(new Main()).getCommandSpec().options()) {
      String name = o.longestName();
      assertTrue(table.contains("`" + name + " ") || table.contains("`" + name + "`"),
          name + " has no row in README's Flags table");
    }
  }

  /** Every flag of {@code clusterdns dev --help} has a row in the README's Local development table (issue 21). */
  @Test
  void everyDevFlagIsInTheReadmesLocalDevelopmentTable() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("\n## Local development\n");
    int end = readme.indexOf("\n## ", start + 1);
    assertTrue(start >= 0 && end > start, "README has a Local development section");
    String section = readme.substring(start, end);
    for (OptionSpec o : new CommandLine(new DevCommand()).getCommandSpec().options()) {
      String name = o.longestName();
      assertTrue(section.contains("`" + name + " ") || section.contains("`" + name + "`"),
          name + " has no row in README's dev flags table");
    }
  }
}
