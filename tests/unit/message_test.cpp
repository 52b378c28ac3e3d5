#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "auth_temp_dir.hpp"
#include "base/error.hpp"
#include "smtp/mail_params.hpp"
#include "smtp/message.hpp"
#include "smtp/spool.hpp"

using orou::smtp::MailParamError;
using orou::smtp::parse_mail_params;

namespace {

std::vector<std::string> lines_of(const orou::smtp::MessageSource& m) {
    std::vector<std::string> out;
    m.lines([&](std::string_view line) { out.emplace_back(line); });
    return out;
}

}  // namespace

TEST(MailParams, BodyValuesAreCaseInsensitiveAndPassedOnInCanonicalForm) {
    auto p = parse_mail_params({{"BODY", "8bitmime"}}, 1000);
    EXPECT_EQ(p.error, MailParamError::None);
    EXPECT_TRUE(p.eight_bit);
    EXPECT_EQ(p.body_param(), " BODY=8BITMIME");
    EXPECT_EQ(parse_mail_params({{"BODY", "7bit"}}, 1000).body_param(), " BODY=7BIT");
    EXPECT_EQ(parse_mail_params({}, 1000).body_param(), "");
}

TEST(MailParams, SizeIsCheckedAgainstTheLimitAndUnknownParametersAreRefused) {
    EXPECT_EQ(parse_mail_params({{"SIZE", "1000"}}, 1000).size, 1000u);
    EXPECT_EQ(parse_mail_params({{"SIZE", "1001"}}, 1000).error, MailParamError::TooBig);
    EXPECT_EQ(parse_mail_params({{"SIZE", "12x"}}, 1000).error, MailParamError::Syntax);
    EXPECT_EQ(parse_mail_params({{"SIZE", ""}}, 1000).error, MailParamError::Syntax);
    EXPECT_EQ(parse_mail_params({{"BODY", "BINARYMIME"}}, 1000).error, MailParamError::Syntax);
    EXPECT_EQ(parse_mail_params({{"RET", "FULL"}}, 1000).error, MailParamError::Unknown);
    EXPECT_EQ(parse_mail_params({{"AUTH", "<>"}}, 1000).error, MailParamError::None);
}

TEST(MailParams, XloopCarriesATrailOfIdsThatEachSmtpdExtends) {
    auto p = parse_mail_params({{"XLOOP", "0123abcd.89abcdef"}}, 1000);
    EXPECT_EQ(p.error, MailParamError::None);
    EXPECT_EQ(p.loop, (std::vector<std::string>{"0123abcd", "89abcdef"}));
    EXPECT_EQ(p.loop_param("feedf00d"), " XLOOP=0123abcd.89abcdef.feedf00d");
    EXPECT_EQ(parse_mail_params({}, 1000).loop_param("feedf00d"), " XLOOP=feedf00d");
    EXPECT_EQ(parse_mail_params({}, 1000).loop_param(""), "");
    for (const char* bad : {"", "0123abc", "0123abcd.", "0123ABCD", "0123abcd..89abcdef", "0123abcdx"})
        EXPECT_EQ(parse_mail_params({{"XLOOP", bad}}, 1000).error, MailParamError::Syntax) << bad;
}

TEST(Spool, GivesBackEveryLineInOrderWithItsSizeAndLeavesNoFileBehind) {
    orou::test::TempDir tmp;
    {
        orou::smtp::Spool spool(tmp.path());
        std::string long_line(70000, 'x');  // across the read buffer's edge
        for (const auto& l : {std::string("Subject: t"), std::string(""), long_line, std::string("caf\xc3\xa9")})
            spool.line(l);
        ASSERT_TRUE(spool.finish());
        EXPECT_EQ(lines_of(spool), (std::vector<std::string>{"Subject: t", "", long_line, "caf\xc3\xa9"}));
        EXPECT_EQ(spool.size(), 10u + 2 + 2 + 70002 + 7);
        EXPECT_TRUE(spool.eight_bit());
        EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));  // the file has no name
    }
    EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

TEST(Spool, AnAbandonedSpoolIsEmpty) {
    orou::test::TempDir tmp;
    orou::smtp::Spool spool(tmp.path());
    spool.line("Subject: t");
    spool.abandon();
    ASSERT_TRUE(spool.finish());
    EXPECT_TRUE(lines_of(spool).empty());
    EXPECT_EQ(spool.size(), 0u);
}

TEST(Spool, ADirectoryThatIsNotThereIsASysError) {
    EXPECT_THROW(orou::smtp::Spool("/nonexistent/spool"), orou::SysError);
}

TEST(StringMessage, SplitsAtLfAndDropsTheCrBeforeIt) {
    orou::smtp::StringMessage m("a\r\nb\nc");
    EXPECT_EQ(lines_of(m), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(m.size(), 9u);
    EXPECT_FALSE(m.eight_bit());
}
