#include "modules.hpp"
namespace covet::ext { int register_related_vtab(sqlite3*) { return SQLITE_OK; } }
