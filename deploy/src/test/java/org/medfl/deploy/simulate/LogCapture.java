package org.medfl.deploy.simulate;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Everything the process logs while open: System.out and System.err (where slf4j-simple, our SLF4J backend, writes;
 * it looks System.err up on every line) and java.util.logging (where gRPC logs). Output still reaches the real
 * streams, so a failing test shows it as usual. Not for concurrent tests: the streams are the JVM's.
 */
final class LogCapture implements AutoCloseable {

  private final PrintStream out = System.out;
  private final PrintStream err = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final Logger julRoot = Logger.getLogger("");
  private final Handler jul = new Handler() {
    private final SimpleFormatter formatter = new SimpleFormatter();

    @Override
    public void publish(LogRecord record) {
      captured.writeBytes(formatter.format(record).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogCapture() {
    System.setOut(new PrintStream(new Tee(out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(err), true, StandardCharsets.UTF_8));
    julRoot.addHandler(jul);
  }

  /** Starts capturing. */
  static LogCapture start() {
    return new LogCapture();
  }

  /** What was logged so far, as ISO-8859-1 so that a raw byte is one character, as {@link LeakScanner} reads. */
  String text() {
    System.out.flush();
    System.err.flush();
    return captured.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    julRoot.removeHandler(jul);
    System.setOut(out);
    System.setErr(err);
  }

  /** Writes to the captured buffer and to the stream it replaced. */
  private final class Tee extends OutputStream {
    private final PrintStream original;

    Tee(PrintStream original) {
      this.original = original;
    }

    @Override
    public void write(int b) {
      captured.write(b);
      original.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      captured.write(b, off, len);
      original.write(b, off, len);
    }

    @Override
    public void flush() {
      original.flush();
    }
  }
}
