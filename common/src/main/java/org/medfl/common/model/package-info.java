/** The DL4J networks a job can train, their flat parameter vectors, and the switch that makes conv layers use oneDNN. */
package org.medfl.common.model;
