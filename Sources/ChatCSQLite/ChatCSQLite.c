// Declarations only (include/ChatCSQLite.h): the definitions are sqlite-nio's.
#include "ChatCSQLite.h"
