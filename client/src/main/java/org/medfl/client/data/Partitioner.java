package org.medfl.client.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.MersenneTwister;

/**
 * Splits a labelled data set across simulated sites, as in NIID-Bench (Li, Diao, Chen, He, ICDE 2022, "Federated
 * Learning on Non-IID Data Silos: An Experimental Study"):
 * <ul>
 *   <li>{@code iid}: a seeded shuffle cut into equal parts;</li>
 *   <li>{@code dirichlet:ALPHA}: for each class, site shares drawn from Dirichlet(ALPHA); a site that already
 *       holds its equal share (N/sites) gets none of the later classes, and the whole draw is repeated until every
 *       site holds at least 10 examples. Both rules are NIID-Bench's; without the first, a few sites end up with
 *       most of the data;</li>
 *   <li>{@code shards:K}: each site holds exactly K labels (NIID-Bench's #C=K): site i gets label i mod L and K-1
 *       other labels drawn at random, and each label's examples are split evenly among the sites holding it.
 *       A label no site drew is left out, as in NIID-Bench.</li>
 *   <li>{@code file:PATH}: the split another tool drew, one line of example indices per site (see
 *       {@link PartitionFile}); {@code bench/src/main/python/niid_bench_partition.py} writes NIID-Bench's own draws
 *       this way, so a run can use the very partition a published result used.</li>
 * </ul>
 */
public final class Partitioner {
  private static final int MIN_PER_SITE = 10;

  private Partitioner() {}

  /**
   * Indices of the examples each site gets.
   *
   * @param labels label of each example, 0..classes-1
   * @param spec "iid", "dirichlet:ALPHA", "shards:K" or "file:PATH"
   * @throws IllegalArgumentException naming {@code --partition} when the spec is malformed or cannot be met
   */
  public static List<int[]> partition(int[] labels, int classes, int sites, String spec, long seed) {
    if (sites < 1) {
      throw new IllegalArgumentException("need at least one site, got " + sites);
    }
    if (spec.startsWith("file:")) {
      return PartitionFile.read(Path.of(spec.substring("file:".length())), labels.length, sites, spec);
    }
    if (spec.equals("iid")) {
      return iid(labels.length, sites, new Random(seed));
    }
    if (spec.startsWith("dirichlet:")) {
      double alpha = number(spec, "dirichlet:".length());
      if (!(alpha > 0)) {
        throw new IllegalArgumentException("--partition " + spec + ": ALPHA must be positive");
      }
      return dirichlet(labels, classes, sites, alpha, seed);
    }
    if (spec.startsWith("shards:")) {
      double k = number(spec, "shards:".length());
      if (k != Math.rint(k) || k < 1 || k > classes) {
        throw new IllegalArgumentException("--partition " + spec + ": K must be a whole number from 1 to " + classes);
      }
      return shards(labels, classes, sites, (int) k, new Random(seed));
    }
    throw new IllegalArgumentException(
        "--partition must be iid, dirichlet:ALPHA, shards:K or file:PATH, got '" + spec + "'");
  }

  private static double number(String spec, int from) {
    try {
      return Double.parseDouble(spec.substring(from));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--partition " + spec + ": '" + spec.substring(from) + "' is not a number");
    }
  }

  private static List<int[]> iid(int n, int sites, Random random) {
    int[] order = shuffled(n, random);
    List<int[]> parts = new ArrayList<>();
    for (int s = 0; s < sites; s++) {
      parts.add(Arrays.copyOfRange(order, (int) ((long) n * s / sites), (int) ((long) n * (s + 1) / sites)));
    }
    return parts;
  }

  private static List<int[]> dirichlet(int[] labels, int classes, int sites, double alpha, long seed) {
    MersenneTwister rng = new MersenneTwister(seed);
    Random shuffle = new Random(seed);
    List<List<Integer>> byClass = byClass(labels, classes, shuffle);
    for (int attempt = 0; attempt < 1000; attempt++) {
      List<List<Integer>> parts = new ArrayList<>();
      for (int s = 0; s < sites; s++) {
        parts.add(new ArrayList<>());
      }
      for (List<Integer> members : byClass) {
        double[] shares = new double[sites];
        double total = 0;
        for (int s = 0; s < sites; s++) {
          double draw = new GammaDistribution(rng, alpha, 1.0).sample();
          // a site already at its equal share takes no more; one site is always below it, so total > 0
          shares[s] = parts.get(s).size() < (double) labels.length / sites ? draw : 0;
          total += shares[s];
        }
        int start = 0;
        double cumulative = 0;
        for (int s = 0; s < sites; s++) {
          cumulative += shares[s] / total;
          int end = s == sites - 1 ? members.size() : (int) Math.round(cumulative * members.size());
          parts.get(s).addAll(members.subList(start, Math.max(start, end)));
          start = Math.max(start, end);
        }
      }
      if (parts.stream().allMatch(p -> p.size() >= Math.min(MIN_PER_SITE, labels.length / sites))) {
        return parts.stream().map(Partitioner::toArray).toList();
      }
    }
    throw new IllegalArgumentException("--partition dirichlet:" + alpha + " leaves a site with fewer than "
        + MIN_PER_SITE + " examples after 1000 draws; use a larger ALPHA or fewer sites");
  }

  private static List<int[]> shards(int[] labels, int classes, int sites, int k, Random random) {
    List<List<Integer>> holders = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      holders.add(new ArrayList<>());
    }
    for (int s = 0; s < sites; s++) {
      Set<Integer> held = new LinkedHashSet<>();
      held.add(s % classes);
      while (held.size() < k) {
        held.add(random.nextInt(classes));
      }
      for (int label : held) {
        holders.get(label).add(s);
      }
    }
    List<List<Integer>> parts = new ArrayList<>();
    for (int s = 0; s < sites; s++) {
      parts.add(new ArrayList<>());
    }
    List<List<Integer>> byClass = byClass(labels, classes, random);
    for (int c = 0; c < classes; c++) {
      List<Integer> members = byClass.get(c);
      List<Integer> owners = holders.get(c);
      for (int o = 0; o < owners.size(); o++) {
        int from = members.size() * o / owners.size();
        int to = members.size() * (o + 1) / owners.size();
        parts.get(owners.get(o)).addAll(members.subList(from, to));
      }
    }
    return parts.stream().map(Partitioner::toArray).toList();
  }

  private static List<List<Integer>> byClass(int[] labels, int classes, Random random) {
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i : shuffled(labels.length, random)) {
      byClass.get(labels[i]).add(i);
    }
    return byClass;
  }

  private static int[] shuffled(int n, Random random) {
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private static int[] toArray(List<Integer> values) {
    int[] array = values.stream().mapToInt(Integer::intValue).toArray();
    Arrays.sort(array);
    return array;
  }
}
