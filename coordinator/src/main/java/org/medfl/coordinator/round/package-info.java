/** The per-job round state machine: select sites, issue tasks, collect updates until quorum and deadline, commit. */
package org.medfl.coordinator.round;
