/** Benchmarks: mains that print measurements, with ratios against a baseline taken in the same run. */
package org.medfl.bench;
