/** Durable storage primitives: atomic, fsynced file replacement. */
package org.medfl.common.store;
