package org.medfl.deploy.cli;

import java.io.PrintWriter;
import java.util.function.LongSupplier;
import org.medfl.client.data.DataInspector;

/**
 * A one-line progress bar on stderr that appears only once the work has taken more than a second, so quick runs
 * and their captured output stay clean; redrawn in place with a carriage return.
 */
final class ProgressBar implements DataInspector.Progress {

  private static final long DELAY_NANOS = 1_000_000_000L;
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final LongSupplier nanoClock;
  private final long start;
  private boolean shown;

  /** @param nanoClock {@code System::nanoTime}, or a fake in tests */
  ProgressBar(PrintWriter err, LongSupplier nanoClock) {
    this.err = err;
    this.nanoClock = nanoClock;
    this.start = nanoClock.getAsLong();
  }

  @Override
  public void update(int done, int total) {
    if (!shown && nanoClock.getAsLong() - start < DELAY_NANOS) {
      return;
    }
    shown = true;
    int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
    err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total + " files");
    err.flush();
  }

  /** Ends the bar's line, if it was shown. */
  void finish() {
    if (shown) {
      err.println();
      err.flush();
    }
  }
}
