package org.medfl.client.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Deflated Explicit VR Little Endian files (transfer syntax 1.2.840.10008.1.2.1.99, PS3.5 section A.5): everything
 * after group 0002 is one raw deflate stream (RFC 1951, no zlib header) of an explicit VR little endian data set.
 * Inflated by the JDK's {@link Inflater} into a private temporary copy under that plain syntax, which the uncompressed
 * path then reads like any file; the caller deletes the copy. ImageJ alone would read the compressed bytes as pixels.
 */
final class DeflatedDataSet {

  static final String CONVERT = "; convert it with dcmtk's 'dcmconv +te IN OUT'";

  private DeflatedDataSet() {}

  /**
   * Writes {@code file}'s meta group (transfer syntax now explicit VR little endian) and its inflated data set to a
   * new owner-only temporary file, and returns that file.
   *
   * @param maxBytes most bytes the data set may inflate to; more is refused (a hostile stream can inflate a
   *     thousandfold)
   */
  static Path inflate(Path file, DicomFileMeta meta, long maxBytes) throws IOException, DicomReader.RefusedException {
    Path copy;
    try {
      copy = Files.createTempFile("medfl-inflated-", ".dcm",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      // A file system without POSIX permissions (Windows): the temporary folder's own access rules apply.
      copy = Files.createTempFile("medfl-inflated-", ".dcm");
    }
    boolean done = false;
    try (InputStream in = Files.newInputStream(file); OutputStream out = Files.newOutputStream(copy)) {
      out.write(new byte[DicomFileMeta.PREAMBLE]);
      out.write("DICM".getBytes(StandardCharsets.US_ASCII));
      byte[] syntax = (TransferSyntax.EXPLICIT_LITTLE + "\0").getBytes(StandardCharsets.US_ASCII);
      out.write(DicomFileMeta.explicitElement(0x00020010, "UI", syntax, false));
      out.write(meta.otherElements());
      in.skipNBytes(meta.dataSetOffset());
      inflate(in, out, maxBytes);
      done = true;
      return copy;
    } finally {
      if (!done) {
        Files.deleteIfExists(copy);
      }
    }
  }

  private static void inflate(InputStream in, OutputStream out, long maxBytes)
      throws IOException, DicomReader.RefusedException {
    var inflater = new Inflater(true);
    try {
      byte[] input = new byte[64 * 1024];
      byte[] output = new byte[64 * 1024];
      long written = 0;
      boolean padded = false;
      while (!inflater.finished()) {
        if (inflater.needsInput()) {
          int n = in.read(input);
          if (n < 0 && !padded) {
            // Without a zlib header, zlib may want one byte past the stream's end to see that it ended
            // (Inflater's documentation of nowrap); a stream cut short still runs dry after it.
            padded = true;
            inflater.setInput(new byte[1]);
          } else if (n < 0) {
            throw new DicomReader.RefusedException("the deflated data set is truncated" + CONVERT);
          } else {
            inflater.setInput(input, 0, n);
          }
        }
        int n = inflater.inflate(output);
        if (n == 0 && inflater.needsDictionary()) {
          throw new DicomReader.RefusedException("the deflated data set asks for a preset dictionary, which "
              + "DICOM does not use" + CONVERT);
        }
        written += n;
        if (written > maxBytes) {
          throw new DicomReader.RefusedException("the deflated data set inflates to more than " + maxBytes
              + " bytes, more than the site's pixel limit allows" + CONVERT);
        }
        out.write(output, 0, n);
      }
    } catch (DataFormatException e) {
      throw new DicomReader.RefusedException("the deflated data set is corrupt (" + e.getClass().getSimpleName()
          + ")" + CONVERT);
    } finally {
      inflater.end();
    }
  }
}
