#ifndef CALWORKER_CLIBPQ_SHIM_H
#define CALWORKER_CLIBPQ_SHIM_H
// libpq, wrapped by the Postgres module only. pkg-config (libpq.pc) supplies the include path.
#include <libpq-fe.h>
#endif
