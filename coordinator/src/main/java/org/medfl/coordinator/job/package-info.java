/** Jobs on the coordinator: their durable state directory, their registry and lifecycle. */
package org.medfl.coordinator.job;
