// libopendkim's header, which is C: it spells bool as C99's _Bool.
#pragma once

#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool
