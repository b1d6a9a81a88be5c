/** The fault and abuse suite: real daemons attacked over real sockets, killed, and starved of disk. */
package dev.cove.faults;
