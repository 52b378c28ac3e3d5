// orouboros-mkcreds: manages the users of a credentials file.  See
// orouboros-mkcreds(8).
#include <iostream>

#include "auth/mkcreds.hpp"
#include "auth/options.hpp"
#include "base/error.hpp"

int main(int argc, char* argv[]) {
    auto opt = orou::auth::parse_mkcreds_options(argc, argv);  // bad usage exits EX_USAGE here
    return orou::run_guarded("orouboros-mkcreds", [&] {
        return orou::auth::mkcreds_main(opt, orou::auth::password_source(opt.password_stdin), std::cout);
    });
}
