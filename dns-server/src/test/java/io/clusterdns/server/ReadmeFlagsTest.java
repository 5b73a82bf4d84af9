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
}
