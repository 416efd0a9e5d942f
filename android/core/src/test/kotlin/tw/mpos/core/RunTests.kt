package tw.mpos.core

import org.junit.runner.JUnitCore
import org.junit.runner.notification.Failure
import kotlin.system.exitProcess

/** Runs the suites named on the command line and ends with CI's summary line. */
fun main(args: Array<String>) {
    val classes = args.map { Class.forName(it) }.toTypedArray()
    val result = JUnitCore.runClasses(*classes)
    result.failures.forEach { failure: Failure ->
        println("FAILED ${failure.testHeader}")
        println(failure.trace)
    }
    val passed = result.runCount - result.failureCount
    println("${result.runCount} run in ${result.runTime / 1000.0} s")
    println("$passed passed, ${result.failureCount} failed")
    exitProcess(if (result.wasSuccessful()) 0 else 1)
}
