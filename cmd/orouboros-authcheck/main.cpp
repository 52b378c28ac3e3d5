// orouboros-authcheck: yes or no to a user name and password.  See
// orouboros-authcheck(8).
#include "auth/authcheck.hpp"
#include "auth/options.hpp"
#include "base/error.hpp"

int main(int argc, char* argv[]) {
    auto opt = orou::auth::parse_authcheck_options(argc, argv);  // bad usage exits EX_USAGE here
    return orou::run_guarded("orouboros-authcheck", [&] { return orou::auth::authcheck_main(opt); });
}
