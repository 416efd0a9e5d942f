package tw.mpos.app

import android.annotation.SuppressLint
import android.media.AudioAttributes
import android.media.AudioFormat
import android.media.AudioManager
import android.media.AudioRecord
import android.media.AudioTrack
import android.media.MediaRecorder
import tw.mpos.core.AudioPort
import java.nio.ByteBuffer

/**
 * The headset jack on Android: `AudioRecord` (the voice-recognition source,
 * which keeps the signal free of echo cancelling and noise suppression)
 * and `AudioTrack`, both 32-bit float at one rate, reading into and
 * playing from the core's own buffers. Reads and writes block, so the
 * audio thread keeps the hardware's pace; nothing is allocated per block.
 * The music stream is at full volume while the reader is powered.
 */
class AndroidAudioPort(private val audio: AudioManager, sampleRate: Int, block: Int) : AudioPort {
    private val volumeBefore = audio.getStreamVolume(AudioManager.STREAM_MUSIC)

    @SuppressLint("MissingPermission") // MainActivity opens the port only once RECORD_AUDIO is granted.
    private val recorder = AudioRecord(
        MediaRecorder.AudioSource.VOICE_RECOGNITION,
        sampleRate,
        AudioFormat.CHANNEL_IN_MONO,
        AudioFormat.ENCODING_PCM_FLOAT,
        maxOf(AudioRecord.getMinBufferSize(sampleRate, AudioFormat.CHANNEL_IN_MONO, AudioFormat.ENCODING_PCM_FLOAT), 4 * 4 * block),
    )

    private val player = AudioTrack.Builder()
        .setAudioAttributes(
            AudioAttributes.Builder()
                .setUsage(AudioAttributes.USAGE_MEDIA)
                .setContentType(AudioAttributes.CONTENT_TYPE_UNKNOWN)
                .build(),
        )
        .setAudioFormat(
            AudioFormat.Builder()
                .setSampleRate(sampleRate)
                .setEncoding(AudioFormat.ENCODING_PCM_FLOAT)
                .setChannelMask(AudioFormat.CHANNEL_OUT_STEREO)
                .build(),
        )
        .setTransferMode(AudioTrack.MODE_STREAM)
        .setBufferSizeInBytes(
            maxOf(AudioTrack.getMinBufferSize(sampleRate, AudioFormat.CHANNEL_OUT_STEREO, AudioFormat.ENCODING_PCM_FLOAT), 4 * 8 * block),
        )
        .build()

    init {
        audio.setStreamVolume(AudioManager.STREAM_MUSIC, audio.getStreamMaxVolume(AudioManager.STREAM_MUSIC), 0)
        recorder.startRecording()
        player.play()
    }

    override fun read(mono: ByteBuffer, frames: Int): Int =
        recorder.read(mono, 4 * frames, AudioRecord.READ_BLOCKING).coerceAtLeast(0) / 4

    override fun write(stereo: ByteBuffer, frames: Int) {
        player.write(stereo, 8 * frames, AudioTrack.WRITE_BLOCKING)
    }

    override fun close() {
        recorder.stop()
        recorder.release()
        player.stop()
        player.release()
        audio.setStreamVolume(AudioManager.STREAM_MUSIC, volumeBefore, 0)
    }
}
