package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Files a hostile or broken data folder holds, made for real in a test's temporary folder. */
final class HostileFiles {

  private HostileFiles() {}

  /** A gray PNG or JPEG of noise ({@code format} "png" or "jpeg"), so that every byte of it matters. */
  static byte[] noise(String format, int width, int height, long seed) {
    var image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    var rnd = new SplittableRandom(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.getRaster().setSample(x, y, 0, rnd.nextInt(256));
      }
    }
    var out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes the first half of {@code source}'s bytes to {@code target}. */
  static Path cutInHalf(Path source, Path target) throws IOException {
    byte[] bytes = Files.readAllBytes(source);
    return Files.write(target, Arrays.copyOf(bytes, bytes.length / 2));
  }

  /**
   * A valid 8x8 PNG whose IHDR (with a correct CRC) claims {@code width x height}: a few hundred bytes that a
   * decoder trusting its header would try to allocate gigabytes for.
   */
  static byte[] pngClaiming(int width, int height) {
    byte[] png = noise("png", 8, 8, 1);
    // signature (8), then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4), 5 more bytes, CRC (4)
    ByteBuffer b = ByteBuffer.wrap(png);
    assertEquals(0x49484452, b.getInt(12), "IHDR first");
    b.putInt(16, width).putInt(20, height);
    var crc = new CRC32();
    crc.update(png, 12, 17);
    b.putInt(29, (int) crc.getValue());
    return png;
  }

  /** A valid 8x8 baseline JPEG whose frame header (SOF0) claims {@code width x height}, at most 65535 each. */
  static byte[] jpegClaiming(int width, int height) {
    byte[] jpeg = noise("jpeg", 8, 8, 1);
    for (int i = 2; i + 9 < jpeg.length; i++) {
      if ((jpeg[i] & 0xff) == 0xFF && (jpeg[i + 1] & 0xff) == 0xC0) {
        // FF C0, length (2), precision (1), height (2), width (2)
        ByteBuffer.wrap(jpeg).putShort(i + 5, (short) height).putShort(i + 7, (short) width);
        return jpeg;
      }
    }
    throw new IllegalStateException("no SOF0 marker in ImageIO's JPEG");
  }

  /**
   * A DICOM file of 2 x 2 real pixels whose header claims {@code rows x columns}; the claim is read before any
   * pixel, so the file is refused for its size, not for its missing pixel data.
   */
  static Path dicomClaiming(Path file, int rows, int columns) throws IOException {
    new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("bomb"))
        .us(0x00280002, 1).text(0x00280004, "CS", "MONOCHROME2").us(0x00280010, rows).us(0x00280011, columns)
        .us(0x00280100, 16).us(0x00280101, 16).us(0x00280102, 15).us(0x00280103, 0)
        .pixels(new byte[8], true).write(file);
    return file;
  }

  /**
   * Plants, in {@code folder}, one of every kind of hostile or broken file a site may find, all named
   * {@code <kind>.<extension>}, and returns each name with the words its refusal must contain. {@code good} is a
   * usable file of that extension; {@code outside} a folder beside the data folder, where usable copies lie that
   * must never be read. The mode-000 file is listed only where the OS denies reading it (not as root).
   */
  static java.util.Map<String, String> plant(Path folder, String extension, Path good, Path outside)
      throws IOException, InterruptedException {
    var expected = new java.util.TreeMap<String, String>();
    Files.createDirectories(folder);
    Files.createDirectories(outside);
    String ext = "." + extension;
    cutInHalf(good, folder.resolve("cut" + ext));
    expected.put("cut" + ext, "truncated");
    Files.write(folder.resolve("empty" + ext), new byte[0]);
    expected.put("empty" + ext, "empty file (0 bytes)");
    boolean dicom = extension.equals("dcm");
    if (dicom) {
      Files.write(folder.resolve("magic" + ext), noise("png", 8, 8, 2));
      expected.put("magic" + ext, "not a DICOM Part 10 file");
      dicomClaiming(folder.resolve("bomb" + ext), 60_000, 60_000);
    } else {
      Files.writeString(folder.resolve("magic" + ext), "this is text, not an image\n");
      expected.put("magic" + ext, "not a PNG or JPEG image");
      Files.write(folder.resolve("bomb" + ext), pngClaiming(100_000, 100_000));
    }
    expected.put("bomb" + ext, "pixels, above this site's limit of 50,000,000 (--max-pixels); not decoded");
    Files.createSymbolicLink(folder.resolve("passwd" + ext), Path.of("/etc/passwd"));
    expected.put("passwd" + ext, "leads outside the data folder (symbolic link)");
    Path stolen = Files.copy(good, outside.resolve("stolen" + ext), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.createSymbolicLink(folder.resolve("outside" + ext), stolen);
    expected.put("outside" + ext, "leads outside the data folder (symbolic link)");
    Files.createSymbolicLink(folder.resolve("loop-a" + ext), folder.resolve("loop-b" + ext));
    Files.createSymbolicLink(folder.resolve("loop-b" + ext), folder.resolve("loop-a" + ext));
    expected.put("loop-a" + ext, "symbolic link loop");
    expected.put("loop-b" + ext, "symbolic link loop");
    fifo(folder.resolve("fifo" + ext));
    expected.put("fifo" + ext, "a FIFO (named pipe), not a regular file; not opened");
    if (dicom) {
      // A DICOM walk looks at every file whatever its name, so it meets this link and must not follow it.
      Files.createSymbolicLink(folder.resolve("etc"), Path.of("/etc"));
      expected.put("etc", "leads outside the data folder (symbolic link)");
    } else {
      // DICOM exports nest folders, so a DICOM walk enters a folder whatever its name; image folders are flat.
      Files.createDirectories(folder.resolve("dir" + ext));
      expected.put("dir" + ext, "a folder, not a file");
    }
    Path locked = Files.copy(good, folder.resolve("locked" + ext));
    if (denyAll(locked)) {
      expected.put("locked" + ext, "permission denied");
    }
    return expected;
  }

  /** Makes a FIFO (named pipe) with mkfifo(1); opening it for reading would block until a writer comes. */
  static Path fifo(Path file) throws IOException, InterruptedException {
    Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).redirectErrorStream(true).start();
    String output = new String(mkfifo.getInputStream().readAllBytes());
    assertEquals(0, mkfifo.waitFor(), "mkfifo " + file + ": " + output);
    return file;
  }

  /**
   * Removes every permission from {@code file}. Whether that stops this process from reading it depends on who
   * runs the tests: root reads it anyway (CI runs as root), so callers check {@link Files#isReadable} afterwards and
   * assert what each case must give.
   */
  static boolean denyAll(Path file) throws IOException {
    Files.setPosixFilePermissions(file, java.util.Set.of());
    return !Files.isReadable(file);
  }
}
