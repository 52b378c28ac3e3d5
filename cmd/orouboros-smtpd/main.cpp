// orouboros-smtpd: one SMTP session on stdin/stdout or systemd's socket.
#include "base/error.hpp"
#include "cli/smtpd_options.hpp"
#include "smtpd/program.hpp"

int main(int argc, char* argv[]) {
    auto options = orou::cli::parse_smtpd(argc, argv);
    return orou::run_guarded("orouboros-smtpd", [&] { return orou::smtpd::smtpd_main(options); });
}
