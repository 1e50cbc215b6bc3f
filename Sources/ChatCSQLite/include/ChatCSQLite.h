// The few functions of the SQLite C API that the message writer and the WAL checkpointer call.
//
// Why declared here: they must be the copy of SQLite that Fluent's driver links (sqlite-nio's
// amalgamation, whose symbols carry the `sqlite_nio_` prefix). Two copies of SQLite in one process
// keep two tables of POSIX file locks, and closing a file in one copy drops the other's locks: the
// documented way to corrupt a database (https://www.sqlite.org/howtocorrupt.html, 2.2.1). sqlite-nio
// exports that copy only through its internal `VaporCSQLite` module, which is not a product and so
// cannot be declared in Package.swift. These declarations are the stable SQLite C API (the same
// signatures since 3.20) under sqlite-nio's prefix; they link against sqlite-nio's object code.
// Package.swift pins sqlite-nio to 1.13.x, and `SQLiteHandleTests` opens a database through them.
#ifndef CHAT_CSQLITE_H
#define CHAT_CSQLITE_H

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
typedef long long int sqlite3_int64;
typedef unsigned long long int sqlite3_uint64;
typedef void (*sqlite3_destructor_type)(void *);

#define SQLITE_OK 0
#define SQLITE_ROW 100
#define SQLITE_DONE 101
#define SQLITE_NULL 5
#define SQLITE_UTF8 1
#define SQLITE_OPEN_READWRITE 0x00000002
#define SQLITE_OPEN_CREATE 0x00000004
#define SQLITE_OPEN_NOMUTEX 0x00008000
#define SQLITE_OPEN_EXRESCODE 0x02000000
#define SQLITE_PREPARE_PERSISTENT 0x01

int sqlite_nio_sqlite3_open_v2(const char *filename, sqlite3 **ppDb, int flags, const char *zVfs);
int sqlite_nio_sqlite3_close_v2(sqlite3 *);
const char *sqlite_nio_sqlite3_errmsg(sqlite3 *);
int sqlite_nio_sqlite3_exec(sqlite3 *, const char *sql, int (*callback)(void *, int, char **, char **), void *, char **errmsg);
int sqlite_nio_sqlite3_busy_handler(sqlite3 *, int (*)(void *, int), void *);
int sqlite_nio_sqlite3_prepare_v3(sqlite3 *db, const char *zSql, int nByte, unsigned int prepFlags, sqlite3_stmt **ppStmt,
                                  const char **pzTail);
sqlite3_int64 sqlite_nio_sqlite3_last_insert_rowid(sqlite3 *);
int sqlite_nio_sqlite3_finalize(sqlite3_stmt *pStmt);
int sqlite_nio_sqlite3_reset(sqlite3_stmt *pStmt);
int sqlite_nio_sqlite3_bind_null(sqlite3_stmt *, int);
int sqlite_nio_sqlite3_bind_int64(sqlite3_stmt *, int, sqlite3_int64);
int sqlite_nio_sqlite3_bind_double(sqlite3_stmt *, int, double);
int sqlite_nio_sqlite3_bind_text64(sqlite3_stmt *, int, const char *, sqlite3_uint64, void (*)(void *), unsigned char encoding);
int sqlite_nio_sqlite3_step(sqlite3_stmt *);
sqlite3_int64 sqlite_nio_sqlite3_column_int64(sqlite3_stmt *, int iCol);
double sqlite_nio_sqlite3_column_double(sqlite3_stmt *, int iCol);
int sqlite_nio_sqlite3_column_type(sqlite3_stmt *, int iCol);
const unsigned char *sqlite_nio_sqlite3_column_text(sqlite3_stmt *, int iCol);

#endif
