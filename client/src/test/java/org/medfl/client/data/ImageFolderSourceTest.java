package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.job.PreprocessingSpec;
import org.nd4j.linalg.api.buffer.DataType;

class ImageFolderSourceTest {

  private static final List<String> CLASSES = DemoData.classes();

  @TempDir
  Path data;

  @Test
  void loadsGeneratedFolderWithShapesAndLabels() {
    // given 12 balanced images (site 2): 3 per class
    DemoData.generate(data, 2, 12, 16, 1);

    // when
    var loaded = ImageFolderSource.load(data, CLASSES, 16, 16, 1);

    // then
    LabeledImages images = loaded.images();
    assertArrayEquals(new long[] {12, 1, 16, 16}, images.features().shape());
    assertEquals(DataType.FLOAT, images.features().dataType());
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3}, images.labels());
    assertEquals(CLASSES, images.classes());
    assertEquals(12, images.size());
    assertEquals(Map.of("circle", 3, "square", 3, "triangle", 3, "cross", 3), loaded.report().perClass());
    assertEquals(new LoadReport(12, 0, loaded.report().perClass(), List.of()), loaded.report());
    assertEquals(true, images.features().minNumber().doubleValue() >= 0);
    assertEquals(true, images.features().maxNumber().doubleValue() <= 1);
  }

  @Test
  void classesWithoutAFolderAreReportedInOneLine() {
    // given the demo's 4 class folders and a job that also knows 2 classes this site does not hold
    DemoData.generate(data, 2, 12, 16, 1);
    var classes = new java.util.ArrayList<>(CLASSES);
    classes.addAll(List.of("hexagon", "star"));

    // when
    var loaded = ImageFolderSource.load(data, classes, 16, 16, 1);

    // then
    assertEquals(12, loaded.report().loaded());
    assertEquals(List.of("no folder for 2 classes: 'hexagon', 'star'; expected " + data.toAbsolutePath().normalize()
        + "/<class>/"), loaded.report().problems());
  }

  @Test
  void grayPixelsAreReadWithoutGammaChange() throws IOException {
    // given the first circle, read back with the raw sample values
    DemoData.generate(data, 2, 4, 16, 1);
    Path first;
    try (var files = Files.list(data.resolve("circle"))) {
      first = files.sorted().findFirst().orElseThrow();
    }
    BufferedImage png = ImageIO.read(first.toFile());

    // when
    var images = ImageFolderSource.load(data, CLASSES, 16, 16, 1).images();

    // then
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        assertEquals(png.getRaster().getSample(x, y, 0) / 255f, images.features().getFloat(0, 0, y, x), 1e-6);
      }
    }
  }

  @Test
  void rgbBecomesLuminanceAndGrayBecomesThreeEqualChannels() throws IOException {
    // given a pure red RGB image and a mid-gray grayscale one
    Path red = Files.createDirectories(data.resolve("circle")).resolve("red.png");
    ImageIO.write(filled(BufferedImage.TYPE_INT_RGB, 0xff0000), "png", red.toFile());
    Path gray = Files.createDirectories(data.resolve("square")).resolve("gray.png");
    BufferedImage g = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 10; x++) {
        g.getRaster().setSample(x, y, 0, 102);
      }
    }
    ImageIO.write(g, "png", gray.toFile());

    // when
    var one = ImageFolderSource.load(data, CLASSES, 8, 8, 1).images();
    var three = ImageFolderSource.load(data, CLASSES, 8, 8, 3).images();

    // then
    assertEquals(0.299f, one.features().getFloat(0, 0, 4, 4), 1e-3);
    assertEquals(0.4f, one.features().getFloat(1, 0, 4, 4), 1e-6);
    assertArrayEquals(new float[] {1f, 0f, 0f}, new float[] {three.features().getFloat(0, 0, 3, 3),
        three.features().getFloat(0, 1, 3, 3), three.features().getFloat(0, 2, 3, 3)});
    assertArrayEquals(new float[] {0.4f, 0.4f, 0.4f}, new float[] {three.features().getFloat(1, 0, 3, 3),
        three.features().getFloat(1, 1, 3, 3), three.features().getFloat(1, 2, 3, 3)});
  }

  @Test
  void resizesToRequestedSize() throws IOException {
    // given one 40x20 image whose left half is black and right half white
    BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 20; y++) {
      for (int x = 20; x < 40; x++) {
        img.getRaster().setSample(x, y, 0, 255);
      }
    }
    ImageIO.write(img, "png", Files.createDirectories(data.resolve("cross")).resolve("half.PNG").toFile());

    // when
    var images = ImageFolderSource.load(data, CLASSES, 8, 8, 1).images();

    // then
    assertArrayEquals(new long[] {1, 1, 8, 8}, images.features().shape());
    assertEquals(0f, images.features().getFloat(0, 0, 4, 0), 1e-6);
    assertEquals(1f, images.features().getFloat(0, 0, 4, 7), 1e-6);
    assertArrayEquals(new int[] {3}, images.labels());
  }

  @Test
  void corruptImageIsSkippedAndCounted() throws IOException {
    // given
    DemoData.generate(data, 2, 8, 16, 1);
    Files.writeString(data.resolve("circle").resolve("x-ray-17.png"), "this is not a png");

    // when
    var loaded = ImageFolderSource.load(data, CLASSES, 16, 16, 1);

    // then
    assertEquals(8, loaded.report().loaded());
    assertEquals(1, loaded.report().skipped());
    assertEquals(List.of("circle/x-ray-17.png: not a PNG or JPEG image (its content has no known image signature)"),
        loaded.report().problems());
    assertEquals(8, loaded.images().size());
  }

  @Test
  void hostileFilesAreSkippedWithOneReasonEachAndNothingOutsideIsRead() throws Exception {
    // given 8 shapes (2 per class), one file of every hostile kind in circle/, a JPEG cut in half, the square
    // folder replaced by a link to a folder outside, and a stray link to /etc
    Path site = data.resolve("site");
    Path outside = data.resolve("outside");
    DemoData.generate(site, 2, 8, 16, 1);
    Path good = site.resolve("circle").resolve(firstName(site.resolve("circle")));
    Map<String, String> expected = new java.util.TreeMap<>(HostileFiles.plant(site.resolve("circle"), "png", good,
        outside));
    Path jpeg = Files.write(data.resolve("whole.jpg"), HostileFiles.noise("jpeg", 32, 32, 9));
    HostileFiles.cutInHalf(jpeg, site.resolve("circle").resolve("cut.jpg"));
    expected.put("cut.jpg", "damaged or truncated image: the JPEG decoder warned");
    Path squares = Files.move(site.resolve("square"), outside.resolve("square"));
    Files.createSymbolicLink(site.resolve("square"), squares);
    Files.createSymbolicLink(site.resolve("etc"), Path.of("/etc"));

    // when: bounded, because a reader that opened the FIFO would wait for ever
    var loaded = assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> ImageFolderSource.load(site, CLASSES, 16, 16, 1));

    // then the 6 shapes inside load (7 where root reads the mode-000 copy), and each hostile file has one line
    boolean lockedRead = !expected.containsKey("locked.png");
    assertEquals(6 + (lockedRead ? 1 : 0), loaded.report().loaded(), loaded.report().problems().toString());
    assertEquals(expected.size(), loaded.report().skipped());
    assertEquals(Map.of("circle", 2 + (lockedRead ? 1 : 0), "square", 0, "triangle", 2, "cross", 2),
        loaded.report().perClass());
    List<String> problems = loaded.report().problems();
    expected.forEach((name, reason) -> {
      List<String> lines = problems.stream().filter(p -> p.startsWith("circle/" + name + ": ")).toList();
      assertEquals(1, lines.size(), name + " in " + problems);
      assertTrue(lines.get(0).contains(reason), lines.get(0));
    });
    assertTrue(problems.contains("folder 'square' leads outside the data folder (symbolic link); not read"),
        problems.toString());
    assertTrue(problems.contains("folder 'etc' is not one of the job's classes: " + CLASSES + ", and leads outside "
        + "the data folder (symbolic link); not read"), problems.toString());
    assertEquals(expected.size() + 2, problems.size(), problems.toString());
  }

  @Test
  void imagesAboveThePixelLimitAreSkippedBeforeDecoding() throws IOException {
    // given 4 shapes of 16x16 = 256 pixels
    DemoData.generate(data, 2, 4, 16, 1);

    // when the limit is 256 pixels, then 255
    var atLimit = ImageFolderSource.load(data, CLASSES, 16, 16, 1, PreprocessingSpec.defaults(), 256);
    var e = assertThrows(DataException.class,
        () -> ImageFolderSource.load(data, CLASSES, 16, 16, 1, PreprocessingSpec.defaults(), 255));

    // then
    assertEquals(4, atLimit.report().loaded());
    assertTrue(e.getMessage().contains("holds no images"), e.getMessage());
  }

  @Test
  void foreignFolderIsReportedOnce() throws IOException {
    // given
    DemoData.generate(data, 2, 4, 16, 1);
    Path other = Files.createDirectories(data.resolve("other"));
    Files.copy(data.resolve("circle").resolve(firstName(data.resolve("circle"))), other.resolve("a.png"));
    Files.copy(data.resolve("circle").resolve(firstName(data.resolve("circle"))), other.resolve("b.jpg"));

    // when
    var loaded = ImageFolderSource.load(data, CLASSES, 16, 16, 1);

    // then
    assertEquals(List.of("folder 'other' is not one of the job's classes: [circle, square, triangle, cross]; "
        + "its 2 images were ignored"), loaded.report().problems());
    assertEquals(4, loaded.report().loaded());
    assertEquals(0, loaded.report().skipped());
  }

  @Test
  void patientIdComesFromFileNamePrefix() throws IOException {
    // given
    DemoData.generate(data, 2, 4, 16, 1);
    Path circle = data.resolve("circle");
    Files.move(circle.resolve(firstName(circle)), circle.resolve("p0042_scan-1.png"));

    // when
    var images = ImageFolderSource.load(data, CLASSES, 16, 16, 1).images();

    // then
    assertEquals(Arrays.asList("p0042", null, null, null), images.patientIds());
  }

  @Test
  void emptyDirectoryIsFatalAndNamesIt() {
    // when
    var e = assertThrows(DataException.class, () -> ImageFolderSource.load(data, List.of("a", "b"), 16, 16, 1));

    // then
    assertEquals(data.toAbsolutePath() + " holds no images under folders named after the job's classes [a, b]; "
        + "expected " + data.toAbsolutePath() + "/<class>/*.png", e.getMessage());
  }

  @Test
  void missingDirectoryIsFatalAndNamesIt() {
    // given
    Path missing = data.resolve("nope");

    // when
    var e = assertThrows(DataException.class, () -> ImageFolderSource.load(missing, CLASSES, 16, 16, 1));

    // then
    assertEquals(missing.toAbsolutePath() + " does not exist or is not a directory; expected "
        + missing.toAbsolutePath() + "/<class>/*.png", e.getMessage());
  }

  private static BufferedImage filled(int type, int rgb) {
    var image = new BufferedImage(10, 10, type);
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 10; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }

  private static String firstName(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
    }
  }
}
