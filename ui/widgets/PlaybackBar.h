#pragma once

#include <QWidget>

class QLabel;
class QSlider;
class QToolButton;

namespace resnest {

// Play / pause, step, stop and a seek slider for a video file; for cameras and streams only stop and the
// live counters (no length to seek in).
class PlaybackBar : public QWidget {
    Q_OBJECT
public:
    explicit PlaybackBar(QWidget* parent = nullptr);

    void setSource(const QString& name, qint64 frameCount, double fps, bool live);
    void setPosition(qint64 frame);
    void setPlaying(bool playing);
    bool playing() const { return playing_; }
    void setCounters(const QString& text);

    Q_SIGNAL void playRequested();
    Q_SIGNAL void pauseRequested();
    Q_SIGNAL void stepRequested();
    Q_SIGNAL void stopRequested();
    Q_SIGNAL void seekRequested(qint64 frame);

    void togglePlay();
    QSlider* seekSlider() const { return seek_; }
    QString positionText() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QToolButton* play_;
    QToolButton* step_;
    QToolButton* stop_;
    QSlider* seek_;
    QLabel* position_;
    QLabel* counters_;
    qint64 frameCount_ = -1;
    double fps_ = 25.0;
    bool playing_ = false;
};

} // namespace resnest
