// libyaml 0.2 (config loading only; never on the request path).
#ifndef REPRISE_CYAML_SHIM_H
#define REPRISE_CYAML_SHIM_H
#include <yaml.h>
#endif
