package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding one PNG or JPEG file that may be broken or hostile: every refusal is a one-line reason, never a crash. */
class ImagePixelsTest {

  private static final long LIMIT = SiteData.DEFAULT_MAX_PIXELS;

  @TempDir
  Path dir;

  @Test
  void pngHeaderClaimingGigapixelsIsRefusedBeforeDecoding() throws IOException {
    // given a PNG of a few hundred bytes whose header claims 100000 x 100000 (10 gigapixels: 10 GB of gray samples)
    Path bomb = Files.write(dir.resolve("bomb.png"), HostileFiles.pngClaiming(100_000, 100_000));

    // when
    var e = assertThrows(ImagePixels.UnreadableImageException.class, () -> ImagePixels.read(bomb, LIMIT));

    // then the reason gives the size from the header and the limit, and says nothing was decoded
    assertEquals("image is 100000x100000 = 10,000,000,000 pixels, above this site's limit of 50,000,000 "
        + "(--max-pixels); not decoded", e.getMessage());
  }

  @Test
  void jpegHeaderClaimingGigapixelsIsRefusedBeforeDecoding() throws IOException {
    // given a JPEG whose frame header claims 60000 x 60000
    Path bomb = Files.write(dir.resolve("bomb.jpg"), HostileFiles.jpegClaiming(60_000, 60_000));

    // when
    var e = assertThrows(ImagePixels.UnreadableImageException.class, () -> ImagePixels.read(bomb, LIMIT));

    // then
    assertTrue(e.getMessage().startsWith("image is 60000x60000 = 3,600,000,000 pixels, above this site's limit"),
        e.getMessage());
  }

  @Test
  void pixelLimitIsInclusiveAndConfigurable() throws Exception {
    // given a real 100 x 100 PNG (10000 pixels)
    Path png = Files.write(dir.resolve("a.png"), HostileFiles.noise("png", 100, 100, 3));

    // when / then exactly the limit is decoded, one pixel less is refused
    assertEquals(100, ImagePixels.read(png, 10_000).cols());
    var e = assertThrows(ImagePixels.UnreadableImageException.class, () -> ImagePixels.read(png, 9_999));
    assertTrue(e.getMessage().contains("= 10,000 pixels, above this site's limit of 9,999 (--max-pixels)"),
        e.getMessage());
  }

  @Test
  void pngCutInHalfIsRefused() throws Exception {
    // given
    Path whole = Files.write(dir.resolve("whole.png"), HostileFiles.noise("png", 64, 64, 4));
    Path cut = HostileFiles.cutInHalf(whole, dir.resolve("cut.png"));

    // when
    var e = assertThrows(ImagePixels.UnreadableImageException.class, () -> ImagePixels.read(cut, LIMIT));

    // then
    assertTrue(e.getMessage().startsWith("damaged, truncated or unsupported image data"), e.getMessage());
    assertEquals(64, ImagePixels.read(whole, LIMIT).cols());
  }

  @Test
  void jpegCutInHalfIsRefusedRatherThanFilledWithGray() throws Exception {
    // given a JPEG cut in half: ImageIO decodes it without an exception, the lost half gray, and only warns
    Path whole = Files.write(dir.resolve("whole.jpg"), HostileFiles.noise("jpeg", 64, 64, 5));
    Path cut = HostileFiles.cutInHalf(whole, dir.resolve("cut.jpg"));

    // when
    var e = assertThrows(ImagePixels.UnreadableImageException.class, () -> ImagePixels.read(cut, LIMIT));

    // then
    assertTrue(e.getMessage().startsWith("damaged or truncated image: the JPEG decoder warned"), e.getMessage());
    assertEquals(64, ImagePixels.read(whole, LIMIT).cols());
  }

  @Test
  void contentThatIsNotPngOrJpegIsRefusedWhateverTheName() throws IOException {
    // given text named .png, an empty .jpg, a GIF named .png and DICOM named .png
    Path text = Files.writeString(dir.resolve("text.png"), "this is not a png\n");
    Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
    Path gif = Files.write(dir.resolve("gif.png"), HostileFiles.noise("gif", 8, 8, 6));
    DicomPhantoms.generate(dir.resolve("phantom"), 0, 1, 16, 1);
    Path dicom = Files.copy(DicomSource.listFiles(dir.resolve("phantom"), new java.util.ArrayList<>()).get(0).file(),
        dir.resolve("dicom.png"));

    // when / then
    assertEquals("not a PNG or JPEG image (its content has no known image signature)", reason(text));
    assertEquals("not a PNG or JPEG image (its content has no known image signature)", reason(empty));
    assertEquals("a GIF image, not PNG or JPEG; convert it to PNG", reason(gif));
    assertEquals("not a PNG or JPEG image (its content has no known image signature)", reason(dicom));
  }

  private static String reason(Path file) {
    return assertThrows(ImagePixels.UnreadableImageException.class, () -> ImagePixels.read(file, LIMIT)).getMessage();
  }
}
