#pragma once

#include <QCoreApplication>
#include <QList>
#include <QObject>
#include <QVariant>
#include <QtCore/qtestsupport_core.h>
#include <type_traits>

namespace resnest {

// QSignalSpy for a sender that lives on another thread. QSignalSpy appends to its list on the emitting thread
// while the test reads the list on its own: a data race (ThreadSanitizer reports it). This spy receives each
// emission through a queued connection and records it on the thread it was made on, so that the list is only
// ever touched there; wait() and the QTRY_ macros run that thread's event loop, which delivers them.
class QueuedSignalSpy : public QObject {
public:
    template <typename Sender, typename... Args>
    QueuedSignalSpy(const Sender* sender, void (Sender::*signal)(Args...)) {
        QObject::connect(
            sender, signal, this,
            [this](Args... args) {
                calls_.append(QVariantList{QVariant::fromValue(std::decay_t<Args>(args))...});
            },
            Qt::QueuedConnection);
    }

    qsizetype size() const { return calls_.size(); }
    qsizetype count() const { return calls_.size(); }
    bool isEmpty() const { return calls_.isEmpty(); }
    const QVariantList& at(qsizetype i) const { return calls_.at(i); }
    const QVariantList& last() const { return calls_.last(); }

    // True once a new emission has arrived within `ms`.
    bool wait(int ms = 5000) {
        const qsizetype before = calls_.size();
        return QTest::qWaitFor([&] { return calls_.size() > before; }, ms);
    }

private:
    QList<QVariantList> calls_;
};

} // namespace resnest
