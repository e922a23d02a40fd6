// Folder browsing: only image names, in the order a person expects; unreadable folders are errors.
#include "core/media/ImageFolder.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using resnest::ImageFolder;
namespace fs = std::filesystem;

TEST(ImageFolder, NaturalOrderComparesNumbersByValue) {
    EXPECT_TRUE(ImageFolder::naturalLess("img2.jpg", "img10.jpg"));
    EXPECT_FALSE(ImageFolder::naturalLess("img10.jpg", "img2.jpg"));
    EXPECT_TRUE(ImageFolder::naturalLess("frame_009.png", "frame_10.png"));
    EXPECT_TRUE(ImageFolder::naturalLess("A1.png", "b1.png")); // case-insensitive
    EXPECT_TRUE(ImageFolder::naturalLess("x.png", "x1.png"));
    // Leading zeros do not break ties into an inconsistent order.
    EXPECT_NE(ImageFolder::naturalLess("a01.png", "a1.png"), ImageFolder::naturalLess("a1.png", "a01.png"));
    // Digit runs longer than any integer type still compare by value.
    EXPECT_TRUE(ImageFolder::naturalLess("s99999999999999999999999.png", "s100000000000000000000000.png"));
}

TEST(ImageFolder, ListsImagesOnlyInNaturalOrder) {
    const fs::path dir = fs::temp_directory_path() / "resnest-imagefolder-test";
    fs::remove_all(dir);
    fs::create_directories(dir / "sub.jpg"); // a folder with an image's name is not an image
    for (const char* name : {"scan10.PNG", "scan2.jpg", "scan1.jpeg", "notes.txt", "clip.avi", "model.pth"})
        std::ofstream(dir / name) << "x";
    const auto files = ImageFolder::list(dir.string());
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(fs::path(files[0]).filename(), "scan1.jpeg");
    EXPECT_EQ(fs::path(files[1]).filename(), "scan2.jpg");
    EXPECT_EQ(fs::path(files[2]).filename(), "scan10.PNG");
    fs::remove_all(dir);
}

TEST(ImageFolder, APhotoComesBeforeItsMaskAndMasksCanBeSetAside) {
    const fs::path dir = fs::temp_directory_path() / "resnest-imagefolder-masks";
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* name : {"scene-1-mask.png", "scene-1.jpg", "scene-2_labels.png", "scene-2.jpg", "gt.png",
                             "lonely-mask.png", "scene-10.jpg", "scene-10.gt.png"})
        std::ofstream(dir / name) << "x";
    auto names = [](const std::vector<std::string>& paths) {
        std::vector<std::string> out;
        for (const auto& p : paths)
            out.push_back(fs::path(p).filename().string());
        return out;
    };
    EXPECT_EQ(
        names(ImageFolder::list(dir.string())),
        (std::vector<std::string>{"gt.png", "lonely-mask.png", "scene-1.jpg", "scene-1-mask.png",
                                  "scene-2.jpg", "scene-2_labels.png", "scene-10.jpg", "scene-10.gt.png"}));
    // Set aside only where the photo it annotates is there: "lonely-mask" and "gt" stay.
    std::vector<std::string> annotations;
    EXPECT_EQ(names(ImageFolder::list(dir.string(), &annotations)),
              (std::vector<std::string>{"gt.png", "lonely-mask.png", "scene-1.jpg", "scene-2.jpg",
                                        "scene-10.jpg"}));
    EXPECT_EQ(names(annotations),
              (std::vector<std::string>{"scene-1-mask.png", "scene-2_labels.png", "scene-10.gt.png"}));
    EXPECT_EQ(ImageFolder::annotationOf("a_LabelIds.png"), "a");
    EXPECT_EQ(ImageFolder::annotationOf("mask.png"), "");
    EXPECT_EQ(ImageFolder::annotationOf("unmasked.png"), "");
    fs::remove_all(dir);
}

TEST(ImageFolder, MissingFolderIsAClearError) {
    try {
        ImageFolder::list("/nonexistent/photos");
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/photos"), std::string::npos);
    }
}
