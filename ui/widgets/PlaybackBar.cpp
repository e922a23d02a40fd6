#include "ui/widgets/PlaybackBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSlider>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QToolButton>

namespace resnest {

PlaybackBar::PlaybackBar(QWidget* parent) : QWidget(parent) {
    play_ = new QToolButton;
    play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    play_->setToolTip(tr("Play / pause (Space)"));
    step_ = new QToolButton;
    step_->setIcon(style()->standardIcon(QStyle::SP_MediaSkipForward));
    step_->setToolTip(tr("Next frame (paused)"));
    stop_ = new QToolButton;
    stop_->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    stop_->setToolTip(tr("Stop"));
    seek_ = new QSlider(Qt::Horizontal);
    seek_->setTracking(false);
    seek_->setMinimumWidth(120);
    position_ = new QLabel;
    counters_ = new QLabel;
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->addWidget(play_);
    layout->addWidget(step_);
    layout->addWidget(stop_);
    layout->addWidget(seek_, 1);
    layout->addWidget(position_);
    layout->addWidget(counters_);
    connect(play_, &QToolButton::clicked, this, &PlaybackBar::togglePlay);
    connect(step_, &QToolButton::clicked, this, &PlaybackBar::stepRequested);
    connect(stop_, &QToolButton::clicked, this, &PlaybackBar::stopRequested);
    connect(seek_, &QSlider::valueChanged, this, [this](int v) { Q_EMIT seekRequested(v); });
    seek_->installEventFilter(this);
}

bool PlaybackBar::eventFilter(QObject* watched, QEvent* event) {
    // A click on the bar goes to the frame under it (a plain slider would step a page towards it).
    if (watched == seek_ && event->type() == QEvent::MouseButtonPress && seek_->isEnabled()) {
        auto* press = static_cast<QMouseEvent*>(event);
        QStyleOptionSlider option;
        option.initFrom(seek_);
        option.orientation = seek_->orientation();
        option.minimum = seek_->minimum();
        option.maximum = seek_->maximum();
        option.sliderPosition = seek_->sliderPosition();
        option.sliderValue = seek_->value();
        const QRect handle =
            seek_->style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, seek_);
        if (press->button() == Qt::LeftButton && !handle.contains(press->position().toPoint())) {
            const QRect groove =
                seek_->style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderGroove, seek_);
            const int span = std::max(1, groove.width() - handle.width());
            const int x = int(press->position().x()) - groove.x() - handle.width() / 2;
            seek_->setValue(QStyle::sliderValueFromPosition(seek_->minimum(), seek_->maximum(), x, span));
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void PlaybackBar::togglePlay() {
    if (playing_)
        Q_EMIT pauseRequested();
    else
        Q_EMIT playRequested();
}

void PlaybackBar::setSource(const QString& name, qint64 frameCount, double fps, bool live) {
    frameCount_ = frameCount;
    fps_ = fps > 0 ? fps : 25.0;
    const bool seekable = frameCount > 0 && !live;
    seek_->setVisible(frameCount > 0);
    seek_->setEnabled(seekable);
    step_->setEnabled(seekable);
    {
        QSignalBlocker block(seek_);
        seek_->setRange(0, int(std::max<qint64>(0, frameCount - 1)));
        seek_->setValue(0);
    }
    position_->setText(live ? tr("%1 · live").arg(name) : name);
    setToolTip(name);
}

void PlaybackBar::setPosition(qint64 frame) {
    if (!seek_->isSliderDown()) {
        QSignalBlocker block(seek_);
        seek_->setValue(int(frame));
    }
    // Numbered from 0 like the results JSON, the timeline and every message: "frame 41" is one frame.
    const double t = frame / fps_;
    position_->setText(frameCount_ > 0
                           ? tr("frame %1 (last %2) · %3 s").arg(frame).arg(frameCount_ - 1).arg(t, 0, 'f', 1)
                           : tr("frame %1").arg(frame));
}

QString PlaybackBar::positionText() const {
    return position_->text();
}

void PlaybackBar::setPlaying(bool playing) {
    playing_ = playing;
    play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
}

void PlaybackBar::setCounters(const QString& text) {
    counters_->setText(text);
}

} // namespace resnest
