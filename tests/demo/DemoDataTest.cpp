#include "core/demo/BackgroundPool.h"
#include "core/demo/DigitSheet.h"
#include "core/demo/SampleMedia.h"
#include "core/demo/SceneComposer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <set>
#include <stdexcept>

using namespace resnest::demo;

namespace {

const DigitSheet& sheet() {
    static const DigitSheet s = DigitSheet::load();
    return s;
}

const BackgroundPool& backgrounds() {
    static const BackgroundPool p = BackgroundPool::load();
    return p;
}

std::string messageOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no exception)";
}

bool sameBytes(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && (a.empty() || cv::norm(a, b, cv::NORM_INF) == 0);
}

// Every invariant a scene promises, checked pixel by pixel.
void checkScene(const DigitScene& s, const SceneOptions& o) {
    ASSERT_EQ(s.image.type(), CV_8UC3);
    ASSERT_EQ(s.classMask.type(), CV_8UC1);
    ASSERT_EQ(s.image.size(), cv::Size(o.width, o.height));
    ASSERT_EQ(s.classMask.size(), s.image.size());
    ASSERT_EQ(s.boxes.size(), s.labels.size());
    EXPECT_LE(int(s.boxes.size()), o.maxDigits);
    double maxValue = 0;
    cv::minMaxLoc(s.classMask, nullptr, &maxValue);
    EXPECT_LE(maxValue, 10.0);
    for (size_t i = 0; i < s.boxes.size(); ++i) {
        const cv::Rect2f& b = s.boxes[i];
        const int d = s.labels[i];
        ASSERT_GE(d, 0);
        ASSERT_LE(d, 9);
        EXPECT_GT(b.width, 0.f);
        EXPECT_GT(b.height, 0.f);
        EXPECT_GE(b.x, 0.f);
        EXPECT_GE(b.y, 0.f);
        EXPECT_LE(b.x + b.width, float(o.width));
        EXPECT_LE(b.y + b.height, float(o.height));
        // Integer pixel edges, and tight: the digit's own pixels touch all four sides.
        const cv::Rect r(int(b.x), int(b.y), int(b.width), int(b.height));
        EXPECT_EQ(cv::Rect2f(r), b);
        const cv::Mat mine = s.classMask(r) == d + 1;
        EXPECT_GT(cv::countNonZero(mine.row(0)), 0) << "box " << i << " not tight at the top";
        EXPECT_GT(cv::countNonZero(mine.row(r.height - 1)), 0) << "box " << i << " not tight at the bottom";
        EXPECT_GT(cv::countNonZero(mine.col(0)), 0) << "box " << i << " not tight at the left";
        EXPECT_GT(cv::countNonZero(mine.col(r.width - 1)), 0) << "box " << i << " not tight at the right";
    }
    // Every mask pixel of class d lies in some box labelled d.
    for (int y = 0; y < s.classMask.rows; ++y)
        for (int x = 0; x < s.classMask.cols; ++x) {
            const int v = s.classMask.at<uint8_t>(y, x);
            if (v == 0)
                continue;
            bool inside = false;
            for (size_t i = 0; i < s.boxes.size() && !inside; ++i)
                inside = s.labels[i] == v - 1 && s.boxes[i].contains(cv::Point2f(x + 0.5f, y + 0.5f));
            ASSERT_TRUE(inside) << "mask pixel (" << x << ", " << y << ") of class " << v - 1 << " in no box";
        }
}

} // namespace

TEST(DigitSheetTest, HoldsFiveThousandDigitsFiveHundredPerClass) {
    const DigitSheet& s = sheet();
    ASSERT_EQ(s.size(), 5000u);
    int perClass[10] = {};
    for (int i = 0; i < 5000; ++i) {
        ASSERT_GE(s.label(i), 0);
        ASSERT_LE(s.label(i), 9);
        ++perClass[s.label(i)];
    }
    for (int c : perClass)
        EXPECT_EQ(c, 500);
}

TEST(DigitSheetTest, KnownCells) {
    const DigitSheet& s = sheet();
    EXPECT_EQ(s.label(0), 0);
    EXPECT_EQ(s.label(499), 0);  // row 4, last column
    EXPECT_EQ(s.label(500), 1);  // row 5: the first row of ones
    EXPECT_EQ(s.label(2345), 4); // row 23
    EXPECT_EQ(s.label(4999), 9);
    const cv::Mat d = s.digit(2345);
    EXPECT_EQ(d.size(), cv::Size(20, 20));
    EXPECT_EQ(d.type(), CV_8UC1);
    EXPECT_GT(cv::countNonZero(d > 128), 10); // ink bright on black
    EXPECT_LT(cv::countNonZero(d > 128), 250);
    const cv::Mat whole = cv::imread(DigitSheet::defaultPath(), cv::IMREAD_GRAYSCALE);
    EXPECT_TRUE(sameBytes(d, whole(cv::Rect(45 * 20, 23 * 20, 20, 20))));
    EXPECT_THROW(s.digit(5000), std::out_of_range);
    EXPECT_THROW(s.digit(-1), std::out_of_range);
}

TEST(DigitSheetTest, SplitsAreDisjointBlocksOfWholeColumnsWithEveryClass) {
    const DigitSheet& s = sheet();
    const auto& train = s.indices(Split::Train);
    const auto& held = s.indices(Split::HeldOut);
    std::set<int> all(train.begin(), train.end());
    EXPECT_EQ(all.size(), train.size());
    for (int i : held)
        EXPECT_TRUE(all.insert(i).second) << i << " is in both splits";
    EXPECT_EQ(all.size(), 5000u);
    EXPECT_EQ(*all.begin(), 0);
    EXPECT_EQ(*all.rbegin(), 4999);

    int perClass[10] = {};
    std::set<int> heldColumns;
    for (int i : held) {
        ++perClass[s.label(i)];
        heldColumns.insert(i % 100);
    }
    for (int c : perClass)
        EXPECT_EQ(c, int(held.size()) / 10);
    EXPECT_GE(held.size(), 500u);
    EXPECT_EQ(held.size(), heldColumns.size() * 50);                                      // whole columns
    EXPECT_EQ(*heldColumns.rbegin() - *heldColumns.begin() + 1, int(heldColumns.size())); // one block
    for (int i : train)
        EXPECT_EQ(heldColumns.count(i % 100), 0u);
}

TEST(DigitSheetTest, MissingOrWrongFilesThrowNamingThePath) {
    const std::string missing = "/nonexistent/dir/digits.png";
    EXPECT_NE(messageOf([&] { DigitSheet::load(missing); }).find(missing), std::string::npos);

    const std::string small = ::testing::TempDir() + "demo_small_sheet.png";
    ASSERT_TRUE(cv::imwrite(small, cv::Mat::zeros(100, 200, CV_8U)));
    const std::string m = messageOf([&] { DigitSheet::load(small); });
    EXPECT_NE(m.find(small), std::string::npos) << m;
    EXPECT_NE(m.find("200x100"), std::string::npos) << m;
    std::remove(small.c_str());

    const std::string garbage = ::testing::TempDir() + "demo_garbage_sheet.png";
    FILE* f = std::fopen(garbage.c_str(), "wb");
    ASSERT_TRUE(f);
    std::fputs("not a png", f);
    std::fclose(f);
    EXPECT_NE(messageOf([&] { DigitSheet::load(garbage); }).find(garbage), std::string::npos);
    std::remove(garbage.c_str());
}

TEST(BackgroundPoolTest, SplitsByFileAndMissingDirectoryThrows) {
    const BackgroundPool& p = backgrounds();
    const auto& train = p.files(Split::Train);
    const auto& held = p.files(Split::HeldOut);
    EXPECT_GE(train.size(), 2u);
    EXPECT_GE(held.size(), 2u);
    for (const auto& f : held)
        EXPECT_EQ(std::count(train.begin(), train.end(), f), 0) << f << " is in both splits";

    const std::string dir = "/nonexistent/opencv-data";
    const std::string m = messageOf([&] { BackgroundPool::load(dir); });
    EXPECT_NE(m.find(dir), std::string::npos) << m;
    EXPECT_NE(m.find("baboon.jpg"), std::string::npos) << m;
}

TEST(BackgroundPoolTest, RandomCropsAreSizedAndDeterministic) {
    const BackgroundPool& p = backgrounds();
    for (uint64_t seed = 0; seed < 20; ++seed) {
        std::mt19937_64 a(seed), b(seed);
        std::string file;
        const cv::Mat x = p.randomCrop(Split::Train, a, 96, 64);
        const cv::Mat y = p.randomCrop(Split::Train, b, 96, 64, &file);
        ASSERT_EQ(x.size(), cv::Size(96, 64));
        ASSERT_EQ(x.type(), CV_8UC3);
        EXPECT_TRUE(sameBytes(x, y));
        EXPECT_EQ(a(), b()); // the same rng use with and without the file out-parameter
        const auto& train = p.files(Split::Train);
        EXPECT_NE(std::find(train.begin(), train.end(), file), train.end());
    }
    std::mt19937_64 rng(1);
    EXPECT_THROW(p.randomCrop(Split::Train, rng, 0, 10), std::invalid_argument);
}

TEST(BackgroundPoolTest, ScikitImagePhotosJoinTheTrainingSplitOnlyWhenAsked) {
    const BackgroundPool& p = backgrounds();
    ASSERT_EQ(p.extraFiles().size(), 15u) << "install python3-skimage";
    const auto& train = p.files(Split::Train);
    const auto& held = p.files(Split::HeldOut);
    std::set<std::string> seen;
    for (uint64_t seed = 0; seed < 400; ++seed) {
        std::mt19937_64 a(seed), b(seed);
        std::string plain, extra;
        p.randomCrop(Split::Train, a, 32, 32, &plain);
        EXPECT_NE(std::find(train.begin(), train.end(), plain), train.end()) << plain;
        p.randomCrop(Split::Train, b, 32, 32, &extra, BackgroundPool::ScikitImage);
        seen.insert(extra);
        // The held-out split never draws them.
        std::mt19937_64 c(seed);
        std::string h;
        p.randomCrop(Split::HeldOut, c, 32, 32, &h, BackgroundPool::ScikitImage);
        EXPECT_NE(std::find(held.begin(), held.end(), h), held.end()) << h;
    }
    int fromExtra = 0;
    for (const auto& f : seen)
        fromExtra += std::count(p.extraFiles().begin(), p.extraFiles().end(), f) > 0;
    EXPECT_GE(fromExtra, 10); // 400 draws over 36 photos reach most of the 15
    EXPECT_GE(int(seen.size()) - fromExtra, 15);

    // Asked for but not there: a clear error, not a silently different training set.
    const BackgroundPool without =
        BackgroundPool::load(BackgroundPool::defaultDirectory(), "/nonexistent/skimage");
    std::mt19937_64 rng(3);
    EXPECT_NO_THROW(without.randomCrop(Split::Train, rng, 32, 32, nullptr, BackgroundPool::None));
    const std::string m = messageOf(
        [&] { without.randomCrop(Split::Train, rng, 32, 32, nullptr, BackgroundPool::ScikitImage); });
    EXPECT_NE(m.find("python3-skimage"), std::string::npos) << m;
}

TEST(BackgroundPoolTest, WallpaperPhotosJoinTheTrainingSplitOnlyWhenAsked) {
    const BackgroundPool& p = backgrounds();
    const auto& wallpapers = p.extraFiles(BackgroundPool::Wallpapers);
    ASSERT_EQ(wallpapers.size(), 12u) << "install plasma-workspace-wallpapers";
    const auto& scikit = p.extraFiles(BackgroundPool::ScikitImage);
    const auto& train = p.files(Split::Train);
    const unsigned both = BackgroundPool::ScikitImage | BackgroundPool::Wallpapers;
    auto in = [](const std::vector<std::string>& v, const std::string& f) {
        return std::find(v.begin(), v.end(), f) != v.end();
    };
    std::set<std::string> seen;
    int sameAsScikitOnly = 0;
    for (uint64_t seed = 0; seed < 600; ++seed) {
        std::mt19937_64 a(seed), b(seed), c(seed);
        std::string withBoth, scikitOnly, held;
        p.randomCrop(Split::Train, a, 32, 32, &withBoth, both);
        p.randomCrop(Split::Train, b, 32, 32, &scikitOnly, BackgroundPool::ScikitImage);
        EXPECT_TRUE(in(train, withBoth) || in(scikit, withBoth) || in(wallpapers, withBoth)) << withBoth;
        seen.insert(withBoth);
        sameAsScikitOnly += withBoth == scikitOnly;
        p.randomCrop(Split::HeldOut, c, 32, 32, &held, both);
        EXPECT_TRUE(in(p.files(Split::HeldOut), held)) << held;
    }
    int fromWallpapers = 0;
    for (const auto& f : seen)
        fromWallpapers += in(wallpapers, f);
    EXPECT_GE(fromWallpapers, 10);    // 600 draws over 48 photos reach most of the 12
    EXPECT_LT(sameAsScikitOnly, 600); // the wallpapers change the draws...

    // ...and every wallpaper crop is cut from a decoded photo, not a flat fill.
    std::mt19937_64 rng(5);
    for (int i = 0; i < 200; ++i) {
        std::string f;
        const cv::Mat crop = p.randomCrop(Split::Train, rng, 48, 48, &f, BackgroundPool::Wallpapers);
        ASSERT_EQ(crop.size(), cv::Size(48, 48));
        cv::Scalar mean, sd;
        cv::meanStdDev(crop, mean, sd);
        EXPECT_GT(sd[0] + sd[1] + sd[2], 0.5) << f; // not a flat fill
    }

    const BackgroundPool without = BackgroundPool::load(
        BackgroundPool::defaultDirectory(), BackgroundPool::scikitImageDirectory(), "/nonexistent");
    std::mt19937_64 r(3);
    EXPECT_NO_THROW(without.randomCrop(Split::Train, r, 32, 32, nullptr, BackgroundPool::ScikitImage));
    const std::string m =
        messageOf([&] { without.randomCrop(Split::Train, r, 32, 32, nullptr, BackgroundPool::Wallpapers); });
    EXPECT_NE(m.find("plasma-workspace-wallpapers"), std::string::npos) << m;
}

TEST(SceneComposerTest, SameSeedSameSceneDifferentSeedDifferentScene) {
    const SceneComposer composer(sheet(), backgrounds(), Split::Train);
    SceneOptions o;
    std::mt19937_64 a(42), b(42), c(43);
    const DigitScene x = composer.compose(a, o);
    const DigitScene y = composer.compose(b, o);
    const DigitScene z = composer.compose(c, o);
    EXPECT_TRUE(sameBytes(x.image, y.image));
    EXPECT_TRUE(sameBytes(x.classMask, y.classMask));
    EXPECT_EQ(x.boxes, y.boxes);
    EXPECT_EQ(x.labels, y.labels);
    EXPECT_FALSE(sameBytes(x.image, z.image));
    EXPECT_EQ(a(), b());

    // The traced overload draws the same scene.
    std::mt19937_64 t(42);
    SceneTrace trace;
    const DigitScene w = composer.compose(t, o, &trace);
    EXPECT_TRUE(sameBytes(x.image, w.image));
    EXPECT_TRUE(sameBytes(x.classMask, w.classMask));
    EXPECT_EQ(trace.backgroundFiles.size(), 1u);
    EXPECT_GE(trace.digitIndices.size(), x.boxes.size());
}

TEST(SceneComposerTest, MasksAndBoxesAgreeOnManyScenes) {
    const SceneComposer composer(sheet(), backgrounds(), Split::Train);
    std::mt19937_64 rng(7);
    SceneOptions small;
    size_t boxes = 0;
    for (int i = 0; i < 150; ++i) {
        const DigitScene s = composer.compose(rng, small);
        checkScene(s, small);
        boxes += s.boxes.size();
        if (HasFatalFailure())
            return;
    }
    EXPECT_GT(boxes, 150u * 2); // 1..4 digits per scene, few lost to overlap

    SceneOptions crowded;
    crowded.width = 320;
    crowded.height = 240;
    crowded.minDigits = 6;
    crowded.maxDigits = 12;
    crowded.minDigitSize = 24;
    crowded.maxDigitSize = 120;
    crowded.maxRotationDegrees = 30;
    crowded.maxBoxOverlap = 0.5; // forces occlusion, so that the drop rule runs
    for (int i = 0; i < 40; ++i) {
        checkScene(composer.compose(rng, crowded), crowded);
        if (HasFatalFailure())
            return;
    }
}

TEST(SceneComposerTest, BoxesRespectTheOverlapLimitWhenUnoccluded) {
    const SceneComposer composer(sheet(), backgrounds(), Split::Train);
    std::mt19937_64 rng(11);
    SceneOptions o;
    o.maxBoxOverlap = 0.0;
    for (int i = 0; i < 50; ++i) {
        const DigitScene s = composer.compose(rng, o);
        for (size_t a = 0; a < s.boxes.size(); ++a)
            for (size_t b = a + 1; b < s.boxes.size(); ++b)
                EXPECT_LE((s.boxes[a] & s.boxes[b]).area(), 0.f);
    }
}

TEST(SceneComposerTest, HeldOutComposerUsesOnlyHeldOutDigitsAndPhotos) {
    for (Split split : {Split::HeldOut, Split::Train}) {
        const SceneComposer composer(sheet(), backgrounds(), split);
        const auto& digits = sheet().indices(split);
        const std::set<int> allowed(digits.begin(), digits.end());
        const auto& files = backgrounds().files(split);
        const std::set<std::string> photos(files.begin(), files.end());
        std::mt19937_64 rng(3);
        SceneTrace trace;
        for (int i = 0; i < 60; ++i)
            composer.compose(rng, {}, &trace);
        for (int i = 0; i < 60; ++i) {
            int label = -1;
            composer.digitPatch(rng, 32, label, &trace);
        }
        EXPECT_EQ(trace.backgroundFiles.size(), 120u);
        EXPECT_GE(trace.digitIndices.size(), 120u);
        for (int index : trace.digitIndices)
            EXPECT_EQ(allowed.count(index), 1u) << index;
        for (const auto& f : trace.backgroundFiles)
            EXPECT_EQ(photos.count(f), 1u) << f;
        // A crop of every photo shows up over enough scenes.
        EXPECT_EQ(std::set<std::string>(trace.backgroundFiles.begin(), trace.backgroundFiles.end()).size(),
                  photos.size());
    }
}

TEST(SceneComposerTest, DigitPatchesAreLabelledAndDeterministic) {
    const SceneComposer composer(sheet(), backgrounds(), Split::HeldOut);
    std::set<int> seen;
    for (uint64_t seed = 0; seed < 200; ++seed) {
        std::mt19937_64 a(seed), b(seed);
        int la = -1, lb = -1;
        SceneTrace trace;
        const cv::Mat x = composer.digitPatch(a, 48, la, &trace);
        const cv::Mat y = composer.digitPatch(b, 48, lb);
        ASSERT_EQ(x.size(), cv::Size(48, 48));
        ASSERT_EQ(x.type(), CV_8UC3);
        ASSERT_GE(la, 0);
        ASSERT_LE(la, 9);
        EXPECT_EQ(la, lb);
        EXPECT_EQ(la, sheet().label(trace.digitIndices.at(0)));
        EXPECT_TRUE(sameBytes(x, y));
        seen.insert(la);
    }
    EXPECT_EQ(seen.size(), 10u);
    std::mt19937_64 rng(0);
    int label = 0;
    EXPECT_THROW(composer.digitPatch(rng, 4, label), std::invalid_argument);
}

TEST(SceneComposerTest, RejectsInconsistentOptions) {
    const SceneComposer composer(sheet(), backgrounds(), Split::Train);
    std::mt19937_64 rng(0);
    SceneOptions o;
    o.minDigits = 3;
    o.maxDigits = 2;
    EXPECT_THROW(composer.compose(rng, o), std::invalid_argument);
    o = {};
    o.minDigitSize = 80;
    o.maxDigitSize = 40;
    EXPECT_THROW(composer.compose(rng, o), std::invalid_argument);
    o = {};
    o.width = 0;
    EXPECT_THROW(composer.compose(rng, o), std::invalid_argument);
    // Digits larger than the scene shrink to fit instead of failing.
    o = {};
    o.width = 40;
    o.height = 30;
    o.minDigitSize = 50;
    o.maxDigitSize = 90;
    checkScene(composer.compose(rng, o), o);
}

TEST(SceneComposerTest, DeadLeavesBackgroundsOnlyInTrainingAndOnlyWhenAskedFor) {
    const SceneComposer train(sheet(), backgrounds(), Split::Train);
    const SceneComposer heldOut(sheet(), backgrounds(), Split::HeldOut);
    SceneOptions o;
    o.deadLeavesProbability = 1.0;
    int leaves = 0;
    for (uint64_t seed = 0; seed < 20; ++seed) {
        std::mt19937_64 rng(seed);
        SceneTrace trace;
        const DigitScene s = train.compose(rng, o, &trace);
        checkScene(s, o);
        leaves += trace.backgroundFiles.at(0) == "(dead leaves)";
    }
    EXPECT_EQ(leaves, 20);

    // Held-out scenes are the photos whatever the option says, and draw the same random stream.
    std::mt19937_64 a(7), b(7);
    SceneTrace ta;
    const DigitScene x = heldOut.compose(a, o, &ta);
    const DigitScene y = heldOut.compose(b, SceneOptions{});
    EXPECT_NE(ta.backgroundFiles.at(0), "(dead leaves)");
    EXPECT_TRUE(sameBytes(x.image, y.image));

    // About the asked-for share at 0.3, and many colours (not a flat fill) in a dead-leaves picture.
    o.deadLeavesProbability = 0.3;
    leaves = 0;
    for (uint64_t seed = 100; seed < 400; ++seed) {
        std::mt19937_64 rng(seed);
        SceneTrace trace;
        train.compose(rng, o, &trace);
        leaves += trace.backgroundFiles.at(0) == "(dead leaves)";
    }
    EXPECT_NEAR(leaves, 90, 25);
    o.deadLeavesProbability = 1.0;
    o.minDigits = o.maxDigits = 0;
    std::mt19937_64 rng(3);
    cv::Mat gray;
    cv::cvtColor(train.compose(rng, o).image, gray, cv::COLOR_BGR2GRAY);
    cv::Scalar mean, stddev;
    cv::meanStdDev(gray, mean, stddev);
    EXPECT_GT(stddev[0], 15.0);

    o.deadLeavesProbability = 1.5;
    EXPECT_THROW(train.compose(rng, o), std::invalid_argument);
}

TEST(SceneComposerTest, DistractorObjectsOnlyInTrainingAndOnlyWhenAskedFor) {
    const SceneComposer train(sheet(), backgrounds(), Split::Train);
    const SceneComposer heldOut(sheet(), backgrounds(), Split::HeldOut);
    SceneOptions with;
    with.distractorObjects = 4;
    SceneOptions without;
    with.minDigits = with.maxDigits = without.minDigits = without.maxDigits = 0;

    // The background crop is drawn before the objects, so the two scenes differ by the objects and by the
    // noise drawn after them: objects are large changes over a sizeable area.
    int changed = 0;
    for (uint64_t seed = 0; seed < 20; ++seed) {
        std::mt19937_64 a(seed), b(seed);
        const cv::Mat x = train.compose(a, with).image, y = train.compose(b, without).image;
        cv::Mat diff, gray;
        cv::absdiff(x, y, diff);
        cv::cvtColor(diff, gray, cv::COLOR_BGR2GRAY);
        changed += cv::countNonZero(gray > 40) > 0.01 * gray.total();
    }
    // 0..4 objects: none in about a fifth of the scenes (and a disc can land on a disc of its colour).
    EXPECT_GE(changed, 10);
    EXPECT_LE(changed, 19);

    // Scenes with digits stay consistent (masks, boxes, labels) with objects behind them.
    with.minDigits = 1;
    with.maxDigits = 4;
    for (uint64_t seed = 0; seed < 20; ++seed) {
        std::mt19937_64 rng(seed);
        checkScene(train.compose(rng, with), with);
    }

    // Held-out scenes are the photos whatever the option says, and draw the same random stream.
    std::mt19937_64 a(7), b(7);
    EXPECT_TRUE(sameBytes(heldOut.compose(a, with).image, heldOut.compose(b, SceneOptions{}).image));

    with.distractorObjects = -1;
    std::mt19937_64 rng(3);
    EXPECT_THROW(train.compose(rng, with), std::invalid_argument);
}

TEST(SceneComposerTest, DigitDistortionBendsTrainingDigitsOnly) {
    // One cell, many writers: each distortion keeps the digit's ink roughly where and how large it was, but
    // no two are alike, and strength 0 changes nothing.
    const cv::Mat cell = sheet().digit(sheet().indices(Split::Train)[123]);
    const double ink = cv::sum(cell)[0];
    const cv::Moments m0 = cv::moments(cell);
    std::mt19937_64 rng(11);
    cv::Mat previous;
    double meanChange = 0.0;
    for (int i = 0; i < 20; ++i) {
        const cv::Mat d = detail::distortDigit(cell, rng, 1.0);
        ASSERT_EQ(d.size(), cell.size());
        ASSERT_EQ(d.type(), CV_8U);
        const double dInk = cv::sum(d)[0];
        EXPECT_GT(dInk, 0.4 * ink);
        EXPECT_LT(dInk, 2.0 * ink);
        const cv::Moments m = cv::moments(d);
        EXPECT_NEAR(m.m10 / m.m00, m0.m10 / m0.m00, 3.0);
        EXPECT_NEAR(m.m01 / m.m00, m0.m01 / m0.m00, 3.0);
        meanChange += cv::norm(d, cell, cv::NORM_L1) / ink / 20.0;
        if (!previous.empty()) {
            EXPECT_FALSE(sameBytes(d, previous));
        }
        previous = d;
    }
    EXPECT_GT(meanChange, 0.2);
    std::mt19937_64 r1(3), r2(3);
    // Weaker bends change the digit less.
    double weak = 0.0, strong = 0.0;
    for (int i = 0; i < 20; ++i) {
        weak += cv::norm(detail::distortDigit(cell, r1, 0.3), cell, cv::NORM_L1);
        strong += cv::norm(detail::distortDigit(cell, r2, 1.0), cell, cv::NORM_L1);
    }
    EXPECT_LT(weak, strong);

    const SceneComposer train(sheet(), backgrounds(), Split::Train);
    const SceneComposer heldOut(sheet(), backgrounds(), Split::HeldOut);
    SceneOptions with;
    with.digitDistortion = 1.0;
    // Training scenes change and stay consistent; held-out scenes and option 0 draw the same stream as
    // before.
    int changed = 0;
    for (uint64_t seed = 0; seed < 10; ++seed) {
        std::mt19937_64 a(seed), b(seed);
        const DigitScene x = train.compose(a, with);
        changed += !sameBytes(x.image, train.compose(b, SceneOptions{}).image);
        checkScene(x, with);
    }
    EXPECT_EQ(changed, 10);
    std::mt19937_64 a(7), b(7);
    EXPECT_TRUE(sameBytes(heldOut.compose(a, with).image, heldOut.compose(b, SceneOptions{}).image));
    SceneOptions zero;
    zero.digitDistortion = 0.0;
    std::mt19937_64 c(8), d(8);
    EXPECT_TRUE(sameBytes(train.compose(c, zero).image, train.compose(d, SceneOptions{}).image));

    with.digitDistortion = 1.5;
    std::mt19937_64 rng2(3);
    EXPECT_THROW(train.compose(rng2, with), std::invalid_argument);
}

TEST(DemoRandomTest, UniformIntCoversItsRangeAndShuffleIsAPermutation) {
    std::mt19937_64 rng(5);
    int counts[7] = {};
    for (int i = 0; i < 7000; ++i) {
        const int v = detail::uniformInt(rng, -3, 3);
        ASSERT_GE(v, -3);
        ASSERT_LE(v, 3);
        ++counts[v + 3];
    }
    for (int c : counts)
        EXPECT_NEAR(c, 1000, 150);
    for (int i = 0; i < 1000; ++i) {
        const double u = detail::uniformReal(rng, 2.0, 3.0);
        ASSERT_GE(u, 2.0);
        ASSERT_LT(u, 3.0);
    }
    std::vector<int> v(50);
    for (int i = 0; i < 50; ++i)
        v[size_t(i)] = i;
    detail::shuffle(v, rng);
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < 50; ++i)
        EXPECT_EQ(sorted[size_t(i)], i);
    EXPECT_NE(v, sorted);
}

TEST(SampleMediaTest, WritesStillsMasksGroundTruthAndAVideoThatReadsBack) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(::testing::TempDir()) / "demo_samples_test";
    fs::remove_all(dir);
    SampleMedia::write(dir.string(), 2026);
    for (int i = 1; i <= 3; ++i) {
        const std::string stem = (dir / ("digits-scene-" + std::to_string(i))).string();
        const cv::Mat image = cv::imread(stem + ".jpg");
        const cv::Mat mask = cv::imread(stem + "-mask.png", cv::IMREAD_UNCHANGED);
        ASSERT_EQ(image.size(), cv::Size(640, 480)) << stem;
        ASSERT_EQ(mask.size(), cv::Size(640, 480));
        ASSERT_EQ(mask.type(), CV_8UC1);
        double maxValue = 0;
        cv::minMaxLoc(mask, nullptr, &maxValue);
        EXPECT_GE(maxValue, 1.0);
        EXPECT_LE(maxValue, 10.0);
        std::ifstream json(stem + ".json");
        const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
        EXPECT_EQ(text.rfind("{\"width\":640,\"height\":480,\"boxes\":[[", 0), 0u) << text;
        EXPECT_NE(text.find("\"labels\":["), std::string::npos) << text;
    }
    cv::VideoCapture video((dir / "digits-video.avi").string());
    ASSERT_TRUE(video.isOpened());
    cv::Mat frame;
    int frames = 0;
    while (video.read(frame)) {
        ASSERT_EQ(frame.size(), cv::Size(640, 480));
        ++frames;
    }
    EXPECT_EQ(frames, 80);
    for (const auto& entry : fs::directory_iterator(dir)) // no temporary left behind
        EXPECT_NE(entry.path().filename().string().front(), '.') << entry.path();
    fs::remove_all(dir);
}
