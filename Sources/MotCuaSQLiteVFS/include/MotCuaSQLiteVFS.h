#ifndef MOTCUA_SQLITE_VFS_H
#define MOTCUA_SQLITE_VFS_H

/// Registers the "motcua" VFS as SQLite's default, once per process: the platform's VFS with the
/// write-ahead log's frames gathered into one write per commit (see MotCuaSQLiteVFS.c).
/// Returns an SQLite result code.
int motcua_vfs_register(void);

/// Counters since the process started: writes SQLite made to log files, and the writes that
/// reached the operating system for them.
void motcua_vfs_counters(unsigned long long *logWrites, unsigned long long *systemWrites);

/// The same counters for the log files open now under `path` (the full path of a "-wal" file),
/// summed over the connections that opened it. Returns 0 when none is open.
int motcua_vfs_log_counters(const char *path, unsigned long long *logWrites, unsigned long long *systemWrites);

#endif
