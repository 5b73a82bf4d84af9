package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing tool fails the build with the fix in the message; only an explicit opt-in turns it into a skip. */
class RequiredToolTest {

  private static final String MISSING = "clusterdns-no-such-tool";

  @AfterEach
  void clearOptIn() {
    System.clearProperty(RequiredTool.ALLOW_MISSING);
  }

  @Test
  void aMissingToolFailsAndSaysHowToInstallIt() {
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> RequiredTool.find(MISSING));
    assertEquals(MISSING + " is not installed: run .ci/install-test-deps"
        + " (or -Dclusterdns.allowMissingTools=true to skip)", e.getMessage());
  }

  @Test
  void aMissingToolIsSkippedOnlyWhenAllowed() {
    System.setProperty(RequiredTool.ALLOW_MISSING, "true");
    TestAbortedException e = assertThrows(TestAbortedException.class, () -> RequiredTool.find(MISSING));
    assertTrue(e.getMessage().contains(MISSING + " is not installed"), e.getMessage());
  }

  @Test
  void anInstalledToolIsFoundAsAnExecutablePath() {
    assertTrue(Files.isExecutable(RequiredTool.find("sh", "/bin", "/usr/bin")));
  }
}
