#pragma once

#include <QListWidget>
#include <QThread>

namespace resnest {

class ThumbnailLoader;

// The images of an opened folder as a horizontal strip of thumbnails (decoded on a thread of its own);
// clicking one, or next / previous, asks for that image.
class ThumbnailStrip : public QListWidget {
    Q_OBJECT
public:
    explicit ThumbnailStrip(QWidget* parent = nullptr);
    ~ThumbnailStrip() override;

    void setFiles(const QStringList& paths);
    const QStringList& files() const { return paths_; }
    int current() const { return currentRow(); }
    void select(int index); // emits imageChosen
    void next() { select(currentRow() + 1); }
    void previous() { select(currentRow() - 1); }

    Q_SIGNAL void imageChosen(const QString& path);

private:
    QStringList paths_;
    QThread thread_;
    ThumbnailLoader* loader_;
    static constexpr int kSize = 96;
};

} // namespace resnest
